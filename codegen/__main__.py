"""`python -m codegen`: the same command as `codegen`, for environments without the script."""

from codegen.cli import main

main(prog_name="codegen")
