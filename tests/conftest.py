pytest_plugins = [
    "tests.fixtures.services",
    "tests.fixtures.app",
    "tests.fixtures.jwks",
    "tests.fixtures.jobs",
    "tests.fixtures.mail",
    "tests.fixtures.push",
    "tests.fixtures.storage",
    "tests.fixtures.ai",
    "tests.fixtures.stripe",
]
