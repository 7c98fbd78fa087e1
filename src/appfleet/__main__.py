"""`python -m appfleet`: the command line, as the `appfleet` script runs it."""

from appfleet.launch import main

main()
