#!/usr/bin/python3
"""Independent oracle for SendCraft's MIME and DKIM output.

Reads one raw message (as an SMTP server received it) and prints JSON describing it as Python's standard
email package sees it, plus the verdict of dkimpy (Debian's python3-dkim, the library behind dkimverify).
The DKIM public key is passed on the command line, standing in for the DNS TXT lookup.

usage: mail_oracle.py MESSAGE_FILE DKIM_TXT_RECORD
"""
import hashlib
import json
import sys
from email import policy
from email.parser import BytesParser

import dkim

raw = open(sys.argv[1], "rb").read()
txt = sys.argv[2].encode()
msg = BytesParser(policy=policy.default).parsebytes(raw)


def body(kind):
    part = msg.get_body(preferencelist=(kind,))
    return None if part is None else part.get_content()


attachments = []
for part in msg.iter_attachments():
    data = part.get_payload(decode=True) or b""
    attachments.append({
        "filename": part.get_filename(),
        "content_type": part.get_content_type(),
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
    })

print(json.dumps({
    "from": str(msg["From"]),
    "to": str(msg["To"]) if msg["To"] else None,
    "cc": str(msg["Cc"]) if msg["Cc"] else None,
    "bcc_header_present": msg["Bcc"] is not None,
    "subject": str(msg["Subject"]),
    "message_id": str(msg["Message-ID"]),
    "text": body("plain"),
    "html": body("html"),
    "attachments": attachments,
    "defects": [type(d).__name__ for d in msg.defects],
    "dkim_valid": bool(dkim.verify(raw, dnsfunc=lambda name, timeout=5: txt)),
}, ensure_ascii=False))
