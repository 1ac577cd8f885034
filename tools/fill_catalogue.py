"""Fill a Django .po catalogue from a {msgid: translation} mapping in a Python file.

Usage: python tools/fill_catalogue.py CATALOGUE.po MAPPING.py
Prints the msgids still untranslated, so nothing is missed silently.
"""

import runpy
import sys

import polib


def main() -> None:
    catalogue, mapping_file = sys.argv[1], sys.argv[2]
    mapping = runpy.run_path(mapping_file)["ES"]
    po = polib.pofile(catalogue)
    missing = []
    for entry in po:
        if entry.msgid in mapping:
            entry.msgstr = mapping[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif not entry.msgstr:
            missing.append(entry.msgid)
    po.save()
    for msgid in missing:
        print("untranslated:", repr(msgid))


if __name__ == "__main__":
    main()
