"""`python -m server.cli`: the same command as `jitlearn`."""

from server.cli import main

main()
