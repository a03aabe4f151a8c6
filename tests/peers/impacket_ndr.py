#!/usr/bin/python3
"""NDR interop peer for tests/ndr_impacket_test.cpp, built on impacket's own NDR engine.

  impacket_ndr.py encode CASE        prints the stub impacket marshals for CASE, as hex
  impacket_ndr.py check CASE HEX     parses HEX with impacket, prints OK when the values equal
                                     CASE's and impacket re-marshals the parse to the same bytes

The values of each CASE are the ones the C++ test builds. Where impacket's nspi module differs from
the MS-OXNSPI IDL (pStat of NspiGetProps / NspiGetSpecialTable is [in] STAT*, a [ref] pointer, not
a unique one; lpVersion is [in, out] DWORD*; NspiGetMatches is absent), the call is declared here
from the IDL with impacket's types, so the marshalling is still impacket's.
"""
import sys

from impacket.dcerpc.v5 import nspi
from impacket.dcerpc.v5.dtypes import DWORD, LONG, NULL
from impacket.dcerpc.v5.ndr import NDRCALL, NDRPOINTER, NDRPOINTERNULL, NDRArray, NDRUNION, NDRCONSTRUCTEDTYPE, NDR


class NspiGetPropsSpec(NDRCALL):
    opnum = 9
    structure = (('hRpc', nspi.handle_t), ('dwFlags', DWORD), ('pStat', nspi.STAT),
                 ('pPropTags', nspi.PPropertyTagArray_r))


class NspiGetSpecialTableSpec(NDRCALL):
    opnum = 12
    structure = (('hRpc', nspi.handle_t), ('dwFlags', DWORD), ('pStat', nspi.STAT), ('lpVersion', DWORD))


class NspiGetSpecialTableResponseSpec(NDRCALL):
    structure = (('lpVersion', DWORD), ('ppRows', nspi.PPropertyRowSet_r), ('ErrorCode', DWORD))


class NspiGetMatches(NDRCALL):
    opnum = 5
    structure = (('hRpc', nspi.handle_t), ('Reserved1', DWORD), ('pStat', nspi.STAT),
                 ('pReserved', nspi.PPropertyTagArray_r), ('Reserved2', DWORD), ('Filter', nspi.PRestriction_r),
                 ('lpPropName', nspi.PPropertyName_r), ('ulRequested', DWORD),
                 ('pPropTags', nspi.PPropertyTagArray_r))


class NspiGetMatchesResponse(NDRCALL):
    structure = (('pStat', nspi.STAT), ('ppMIds', nspi.PPropertyTagArray_r), ('ppRows', nspi.PPropertyRowSet_r),
                 ('ErrorCode', DWORD))


HANDLE_UUID = bytes(range(0x10, 0x20))
SERVER_GUID = bytes(range(16))


def handle(h):
    h['context_handle_attributes'] = 0
    h['context_handle_uuid'] = HANDLE_UUID


def stat(s, current_rec=0, delta=0):
    s['SortType'] = 0
    s['ContainerID'] = 0x1234
    s['CurrentRec'] = current_rec
    s['Delta'] = delta
    s['NumPos'] = 3
    s['TotalRecs'] = 40
    s['CodePage'] = 1252
    s['TemplateLocale'] = 0x409
    s['SortLocale'] = 0x409


def tag_array(p, tags):
    for t in tags:
        e = DWORD()
        e['Data'] = t
        p['aulPropTag'].append(e)
    p['cValues'] = len(tags)
    p.fields['aulPropTag'].fields['MaximumCount'] = len(tags) + 1


def binary(b, data):
    b['cValues'] = len(data)
    if data:
        b['lpb'] = list(data)
    else:
        b['lpb'] = NULL


def prop(v, tag, value):
    """One PropertyValue_r from a (tag, python value) pair."""
    v['ulPropTag'] = tag
    v['ulReserved'] = 0
    t = tag & 0xFFFF
    u = v['Value']
    u['tag'] = t
    if t == 0x0002:
        u['i'] = value
    elif t in (0x0003, 0x000A, 0x0001, 0x000D):
        u[{0x3: 'l', 0xA: 'err'}.get(t, 'lReserved')] = value
    elif t == 0x000B:
        u['b'] = value
    elif t == 0x001E:
        u['lpszA'] = value + '\x00'
    elif t == 0x001F:
        u['lpszW'] = value + '\x00'
    elif t == 0x0102:
        binary(u['bin'], value)
    elif t == 0x0048:
        u['lpguid'] = value
    elif t == 0x0040:
        u['ft']['dwLowDateTime'] = value & 0xFFFFFFFF
        u['ft']['dwHighDateTime'] = value >> 32
    elif t == 0x1003:
        u['MVl']['cValues'] = len(value)
        for x in value:
            e = LONG()
            e['Data'] = x
            u['MVl']['lpl'].append(e)
    elif t == 0x101F:
        u['MVszW']['cValues'] = len(value)
        for x in value:
            e = nspi.LPWSTR()
            e['Data'] = x + '\x00'
            u['MVszW']['lppszW'].append(e)
    elif t == 0x101E:
        u['MVszA']['cValues'] = len(value)
        for x in value:
            e = nspi.LPSTR()
            e['Data'] = x + '\x00'
            u['MVszA']['lppszA'].append(e)
    elif t == 0x1102:
        u['MVbin']['cValues'] = len(value)
        for x in value:
            e = nspi.Binary_r()
            binary(e, x)
            u['MVbin']['lpbin'].append(e)
    else:
        raise ValueError(hex(tag))


def row(r, props):
    r['Reserved'] = 0
    r['cValues'] = len(props)
    for tag, value in props:
        v = nspi.PropertyValue_r()
        prop(v, tag, value)
        r['lpProps'].append(v)


def row_set(p, rows):
    p['cRows'] = len(rows)
    for props in rows:
        r = nspi.PropertyRow_r()
        row(r, props)
        p['aRow'].append(r)


# The rows of the response cases: one value of each kind impacket's union marshals.
ROWS = [
    [(0x3001001F, 'Alice Ünicode'), (0x3003001E, 'alice@example.org'), (0x39000003, 0),
     (0x0FFF0102, bytes(range(1, 33))), (0x3A40000B, 1), (0x3A4D0002, -2), (0x8C6A101F, ['smtp:a@x', 'SMTP:b@y']),
     (0x80081003, [7, -8, 9]), (0x30070040, 0x01D9F00DCAFEBABE), (0x800F101E, ['X500:/o=a', 'x']),
     (0x8C6D1102, [b'\x01\x02', b'\x03'])],
    [(0x3001001F, 'Bob'), (0x3003001E, 'bob@example.org'), (0x39000003, 6),
     (0x0FFF0102, b''), (0x3A40000B, 0), (0x3A4D0002, 300), (0x8C6A101F, []),
     (0x80081003, []), (0x30070040, 0), (0x800F101E, ['']), (0x8C6D1102, [b''])],
]


def build(case):
    if case == 'bind_req':
        r = nspi.NspiBind()
        r['dwFlags'] = 0
        stat(r['pStat'])
        r['pServerGuid'] = SERVER_GUID
    elif case == 'bind_resp':
        r = nspi.NspiBindResponse()
        r['pServerGuid'] = SERVER_GUID
        handle(r['contextHandle'])
        r['ErrorCode'] = 0
    elif case == 'queryrows_req':
        r = nspi.NspiQueryRows()
        handle(r['hRpc'])
        r['dwFlags'] = 1
        stat(r['pStat'], current_rec=0x400)
        r['dwETableCount'] = 3
        for m in (10, 20, 30):
            e = DWORD()
            e['Data'] = m
            r['lpETable'].append(e)
        r['Count'] = 50
        tag_array(r['pPropTags'], [0x3001001F, 0x39FE001F, 0x0FFF0102])
    elif case == 'queryrows_resp':
        r = nspi.NspiQueryRowsResponse()
        stat(r['pStat'], current_rec=2, delta=-1)
        row_set(r['ppRows'], ROWS)
        r['ErrorCode'] = 0
    elif case == 'getprops_req':
        r = NspiGetPropsSpec()
        handle(r['hRpc'])
        r['dwFlags'] = 2
        stat(r['pStat'], current_rec=0x1000)
        tag_array(r['pPropTags'], [0x3001001F, 0x0FFF0102])
    elif case == 'getprops_resp':
        r = nspi.NspiGetPropsResponse()
        row(r['ppRows'], ROWS[0])
        r['ErrorCode'] = 0x00040380
    elif case == 'resolvenamesw_req':
        r = nspi.NspiResolveNamesW()
        handle(r['hRpc'])
        r['Reserved'] = 0
        stat(r['pStat'])
        tag_array(r['pPropTags'], [0x3001001F, 0x39FE001F])
        names = ['alice', 'Bob Ü', '']
        r['paStr']['Count'] = len(names)
        for n in names:
            e = nspi.LPWSTR()
            e['Data'] = n + '\x00'
            r['paStr']['Strings'].append(e)
    elif case == 'resolvenamesw_resp':
        r = nspi.NspiResolveNamesWResponse()
        tag_array(r['ppMIds'], [2, 0, 1])
        row_set(r['ppRows'], [ROWS[1]])
        r['ErrorCode'] = 0
    elif case == 'dntomid_req':
        r = nspi.NspiDNToMId()
        handle(r['hRpc'])
        r['Reserved'] = 0
        names = ['/o=Org/ou=Site/cn=Recipients/cn=alice', '/o=Org/cn=x']
        r['pNames']['Count'] = len(names)
        for n in names:
            e = nspi.LPSTR()
            e['Data'] = n + '\x00'
            r['pNames']['Strings'].append(e)
    elif case == 'dntomid_resp':
        r = nspi.NspiDNToMIdResponse()
        tag_array(r['ppOutMIds'], [0x1234, 0])
        r['ErrorCode'] = 0
    elif case == 'getmatches_req':
        r = NspiGetMatches()
        handle(r['hRpc'])
        r['Reserved1'] = 0
        stat(r['pStat'])
        r['pReserved'] = NULL
        r['Reserved2'] = 0
        f = r['Filter']
        f['rt'] = 0  # And
        f['res']['tag'] = 0
        ra = f['res']['resAnd']
        ra['cRes'] = 2
        c1 = nspi.Restriction_r()
        c1['rt'] = 3  # Content
        c1['res']['tag'] = 3
        c1['res']['resContent']['ulFuzzyLevel'] = 0x10001
        c1['res']['resContent']['ulPropTag'] = 0x3001001F
        prop(c1['res']['resContent']['lpProp'], 0x3001001F, 'ali')
        c2 = nspi.Restriction_r()
        c2['rt'] = 8  # Exist
        c2['res']['tag'] = 8
        c2['res']['resExist']['ulReserved1'] = 0
        c2['res']['resExist']['ulPropTag'] = 0x39FE001F
        c2['res']['resExist']['ulReserved2'] = 0
        ra['lpRes'].append(c1)
        ra['lpRes'].append(c2)
        r['lpPropName'] = NULL
        r['ulRequested'] = 20
        tag_array(r['pPropTags'], [0x3001001F])
    elif case == 'getmatches_resp':
        r = NspiGetMatchesResponse()
        stat(r['pStat'], current_rec=5)
        tag_array(r['ppMIds'], [5, 6])
        row_set(r['ppRows'], [ROWS[1], ROWS[1]])
        r['ErrorCode'] = 0
    elif case == 'specialtable_req':
        r = NspiGetSpecialTableSpec()
        handle(r['hRpc'])
        r['dwFlags'] = 4
        stat(r['pStat'])
        r['lpVersion'] = 7
    elif case == 'specialtable_resp':
        r = NspiGetSpecialTableResponseSpec()
        r['lpVersion'] = 8
        row_set(r['ppRows'], [[(0x3001001F, 'Global Address List'), (0x36000003, 1), (0x0FFF0102, b'\x87' * 8)]])
        r['ErrorCode'] = 0
    else:
        raise SystemExit('unknown case ' + case)
    return r


def norm(x):
    """impacket's parse as plain values: referent IDs and array bookkeeping left out."""
    if isinstance(x, NDRPOINTERNULL):
        return None
    if isinstance(x, NDRPOINTER):
        if x.fields['ReferentID'] == 0:
            return None
        referent = norm(x.fields['Data'])
        # A pointer to an empty array and a NULL one carry the same value (what we send for empty).
        return None if referent == [] else referent
    if isinstance(x, NDRArray):
        d = x.fields['Data']
        if isinstance(d, (bytes, str)):
            return d
        # Byte arrays: impacket builds them from ints and parses them into 1-byte strings.
        return [e[0] if isinstance(e, bytes) and len(e) == 1 else norm(e) for e in d]
    if isinstance(x, NDRUNION):
        tag = x['tag']
        arm = x.union[tag][0]
        return {'tag': tag, arm: norm(x.fields[arm])}
    if isinstance(x, NDRCONSTRUCTEDTYPE):
        return {name: norm(x.fields[name]) for name, _ in x.structure}
    if isinstance(x, NDR):
        return norm(x.fields['Data'])
    if isinstance(x, list):
        return [norm(e) for e in x]
    return x


# The fill bytes impacket's ndr.py writes into alignment padding (we write zeros).
IMPACKET_PAD = {0xAA, 0xAB, 0xBB, 0xBC, 0xBD, 0xBE, 0xBF, 0xCA, 0xCB, 0xCC, 0xCD, 0xCE, 0xEE, 0xEF}


def same_but_padding(ours, theirs):
    return len(ours) == len(theirs) and all(
        a == b or (a == 0 and b in IMPACKET_PAD) for a, b in zip(ours, theirs))


def main():
    cmd, case = sys.argv[1], sys.argv[2]
    if cmd == 'encode':
        print(build(case).getData().hex())
        return
    data = bytes.fromhex(sys.argv[3])
    expected = build(case)
    parsed = type(expected)(data)
    if norm(parsed) != norm(build(case)):
        print('values differ:\n impacket parsed %r\n expected       %r' % (norm(parsed), norm(build(case))))
        sys.exit(1)
    again = parsed.getData()
    if not same_but_padding(data, again):
        print('impacket re-marshals the parse differently:\n ours     %s\n impacket %s' % (data.hex(), again.hex()))
        sys.exit(1)
    print('OK')


if __name__ == '__main__':
    main()
