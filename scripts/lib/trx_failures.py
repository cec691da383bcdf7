"""Prints each failed test of a TRX file with the first lines of its message and stack trace.

scripts/test calls it just before its closing line, so a CI log that keeps only its tail still names the failures.
"""
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}


def first_lines(text, count):
    lines = [line.rstrip() for line in (text or "").strip().splitlines() if line.strip()]
    return lines[:count]


def main(path):
    root = ET.parse(path).getroot()
    for result in root.iterfind(".//t:UnitTestResult", NS):
        if result.get("outcome") != "Failed":
            continue
        print(f"FAILED {result.get('testName')} ({result.get('duration')})")
        message = result.findtext(".//t:ErrorInfo/t:Message", default="", namespaces=NS)
        stack = result.findtext(".//t:ErrorInfo/t:StackTrace", default="", namespaces=NS)
        for line in first_lines(message, 12) + first_lines(stack, 6):
            print("    " + line[:300])


if __name__ == "__main__":
    main(sys.argv[1])
