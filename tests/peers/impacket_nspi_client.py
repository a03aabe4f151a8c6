#!/usr/bin/python3
"""impacket's NSPI client against exmapi-server (tests/server_nspi_test.cpp).

  impacket_nspi_client.py PORT

Binds anonymously over ncacn_ip_tcp:127.0.0.1[PORT], then NspiBind, NspiGetSpecialTable,
NspiQueryRows over the GAL, NspiResolveNamesW, NspiDNToMId and NspiGetProps, all marshalled and
unmarshalled by impacket. Prints one JSON object with what it decoded; the C++ test checks it.
Where impacket's own call classes differ from the MS-OXNSPI IDL, impacket_ndr.py declares the call
from the IDL with impacket's types (see there).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from impacket.dcerpc.v5 import nspi, transport
from impacket.dcerpc.v5.dtypes import DWORD, NULL
from impacket.dcerpc.v5.ndr import NDRCALL

from impacket_ndr import NspiGetPropsSpec, NspiGetSpecialTableSpec, NspiGetSpecialTableResponseSpec


# impacket's request() looks up "<request class name>Response" in the request class's module.
class NspiGetPropsIdl(NspiGetPropsSpec):
    pass


class NspiGetPropsIdlResponse(NDRCALL):
    structure = (('ppRows', nspi.PPropertyRow_r), ('ErrorCode', DWORD))


class NspiGetSpecialTableIdl(NspiGetSpecialTableSpec):
    pass


class NspiGetSpecialTableIdlResponse(NspiGetSpecialTableResponseSpec):
    pass


PR_DISPLAY_NAME_W = 0x3001001F
PR_SMTP_ADDRESS_W = 0x39FE001F
PR_EMAIL_ADDRESS_W = 0x3003001F
PR_TITLE_W = 0x3A17001F
PR_ENTRYID = 0x0FFF0102
PR_DEPARTMENT_W = 0x3A18001F
PR_CONTAINER_FLAGS = 0x36000003
PR_AB_CONTAINER_ID = 0xFFFD0003


def tags(p, values):
    for t in values:
        e = DWORD()
        e['Data'] = t
        p['aulPropTag'].append(e)
    p['cValues'] = len(values)
    p.fields['aulPropTag'].fields['MaximumCount'] = len(values) + 1


def text(v):
    return v if isinstance(v, str) else repr(v)


def main():
    port = int(sys.argv[1])
    rpc = transport.DCERPCTransportFactory('ncacn_ip_tcp:127.0.0.1[%d]' % port)
    dce = rpc.get_dce_rpc()
    dce.connect()
    dce.bind(nspi.MSRPC_UUID_NSPI)
    out = {}

    bind = nspi.hNspiBind(dce)
    handle = bind['contextHandle']
    out['bind_result'] = bind['ErrorCode']

    req = NspiGetSpecialTableIdl()
    req['hRpc'] = handle
    req['dwFlags'] = nspi.NspiUnicodeStrings
    req['pStat']['CodePage'] = nspi.CP_TELETEX
    req['lpVersion'] = 0
    resp = dce.request(req, checkError=False)
    hier = resp
    rows = nspi.simplifyPropertyRowSet(hier['ppRows'])
    out['hierarchy'] = [{'container_id': r.get(PR_AB_CONTAINER_ID), 'flags': r.get(PR_CONTAINER_FLAGS),
                         'entry_dn': str(r[PR_ENTRYID]['DistinguishedName']).rstrip('\x00')}
                        for r in rows]
    out['hierarchy_version'] = hier['lpVersion']

    rows_resp = nspi.hNspiQueryRows(dce, handle, ContainerID=0, Count=100,
                                    pPropTags=[PR_DISPLAY_NAME_W, PR_SMTP_ADDRESS_W, PR_EMAIL_ADDRESS_W, PR_TITLE_W])
    users = nspi.simplifyPropertyRowSet(rows_resp['ppRows'])
    out['gal'] = [{'name': text(u[PR_DISPLAY_NAME_W]), 'smtp': text(u[PR_SMTP_ADDRESS_W]),
                   'dn': text(u[PR_EMAIL_ADDRESS_W]), 'title': text(u[PR_TITLE_W])} for u in users]
    out['gal_total'] = rows_resp['pStat']['TotalRecs']

    req = nspi.NspiResolveNamesW()
    req['hRpc'] = handle
    req['pStat']['CodePage'] = nspi.CP_TELETEX
    tags(req['pPropTags'], [PR_DISPLAY_NAME_W, PR_SMTP_ADDRESS_W])
    for name in ['bob', 'chloe@example.test', 'nobody-here', 'Al']:
        s = nspi.LPWSTR()
        s['Data'] = name + '\x00'
        req['paStr']['Strings'].append(s)
    req['paStr']['Count'] = 4
    resolved = dce.request(req)
    out['resolve_mids'] = [m['Data'] for m in resolved['ppMIds']['aulPropTag']]
    out['resolve_rows'] = [{'name': text(r[PR_DISPLAY_NAME_W]), 'smtp': text(r[PR_SMTP_ADDRESS_W])}
                           for r in nspi.simplifyPropertyRowSet(resolved['ppRows'])]

    dns = [u['dn'] for u in out['gal']] + ['/o=Nowhere/cn=nobody']
    mids = nspi.hNspiDNToMId(dce, handle, dns)
    out['dn_mids'] = [m['Data'] for m in mids['ppOutMIds']['aulPropTag']]

    req = NspiGetPropsIdl()
    req['hRpc'] = handle
    req['dwFlags'] = 0
    req['pStat']['CodePage'] = nspi.CP_TELETEX
    req['pStat']['CurrentRec'] = out['dn_mids'][0]
    tags(req['pPropTags'], [PR_DISPLAY_NAME_W, PR_DEPARTMENT_W, 0x3A1A001E, 0x12340003])
    resp = dce.request(req, checkError=False)
    props = resp
    row = nspi.simplifyPropertyRow(props['ppRows'])
    out['getprops_result'] = props['ErrorCode']
    out['getprops'] = {'%08x' % k: (v if isinstance(v, (int, str)) else text(v)) for k, v in row.items()}

    unbind = nspi.hNspiUnbind(dce, handle)
    out['unbind_result'] = unbind['ErrorCode']
    dce.disconnect()
    print(json.dumps(out, ensure_ascii=False))


if __name__ == '__main__':
    main()
