"""Text to text, pure: exact-span edits, applying them, fix rounds, diffs.

edits.py    front-matter and footer edits as exact-span text edits
scalars.py  the one writer of YAML values: any string as a scalar that reads back as itself
fixes.py    fix builders shared by rules and lifecycle edits
apply.py    apply edits; choose the non-overlapping fixes of one round
rounds.py   fix one text in rounds until nothing changes (the caller passes the lint)
diff.py     a unified diff of a text before and after
"""
