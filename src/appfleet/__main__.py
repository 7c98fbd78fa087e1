from appfleet.cli import main

main()
