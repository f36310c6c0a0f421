"""Everything that writes documents: fixes over files, `new`, and the lifecycle moves.

fix.py     `check --fix` / `--diff` over files
new.py     `designdoc new`: a doc scaffolded from the template
revise.py  `status` and `bump`, behind their gates
"""
