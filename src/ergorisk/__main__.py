"""`python -m ergorisk` runs the command line."""

from ergorisk.cli import main

main()
