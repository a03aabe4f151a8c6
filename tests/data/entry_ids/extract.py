#!/usr/bin/python3
"""Re-creates the entry ID samples in this folder from the .msg corpus in shared/vectors/msg.

Needs Debian's python3-olefile (run with /usr/bin/python3). Usage: extract.py [SHARED_DIR]
"""
import os, sys
import olefile

here = os.path.dirname(os.path.abspath(__file__))
shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, '..', '..', '..', '..', 'shared')

# output file -> (.msg file, stream path inside it)
SAMPLES = {
    'oneoff_8bit_mime.bin': ('note_plain_ansi.msg', '__substg1.0_00410102'),
    'oneoff_8bit_plain.bin': ('appt_recur_daily.msg', '__substg1.0_00410102'),
    'oneoff_unicode_mime_ja.bin': ('contact_ja_unicode.msg', '__substg1.0_800E0102'),
    'oneoff_unicode_nolookup.bin': ('note_ja_ansi_cp932.msg', '__recip_version1.0_#00000000/__substg1.0_0FF90102'),
    'oneoff_unicode_plain.bin': ('note_smime_signed.msg', '__substg1.0_003F0102'),
    'ab_recipient.bin': ('note_zh_big5_ansi_html.msg', '__recip_version1.0_#00000000/__substg1.0_0FFF0102'),
    'ab_sender.bin': ('note_html_three_bodies.msg', '__substg1.0_00410102'),
}

for out, (msg, stream) in SAMPLES.items():
    with olefile.OleFileIO(os.path.join(shared, 'vectors', 'msg', msg)) as ole:
        data = ole.openstream(stream).read()
    with open(os.path.join(here, out), 'wb') as f:
        f.write(data)
    print(f'{out}: {len(data)} bytes from {msg} {stream}')
