from clinicscout.cli import cli

cli(prog_name="clinicscout")
