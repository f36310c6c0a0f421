"""Everything that writes documents: fixes over files, `new`, the lifecycle moves, and migrations.

fix.py     `check --fix` / `--diff` over files
migrate.py `designdoc migrate`: a doc brought to another version of its template
new.py     `designdoc new`: a doc scaffolded from the template
revise.py  `status` and `bump`, behind their gates
"""
