#!/usr/bin/python3
"""An NSPI responder built on impacket's own DCE/RPC server and NDR (tests/rpc_nspi_impacket_test.cpp).

  impacket_nspi_server.py        listens on 127.0.0.1 on a free port, prints "PORT <n>", serves forever

impacket.dcerpc.v5.rpcrt.DCERPCServer speaks ncacn_ip_tcp without authentication; every request is
parsed and every response marshalled by impacket.dcerpc.v5.nspi (and, where impacket's declaration
departs from the MS-OXNSPI IDL, by the IDL-true declarations of impacket_ndr.py, still on impacket's
types). The address book is the small fixed DIRECTORY below; the C++ test expects exactly it.

Served (MS-OXNSPI 3.1.4.1): NspiBind, NspiUnbind, NspiGetSpecialTable, NspiQueryRows, NspiGetMatches
(no filter, or a property restriction RELOP_EQ on one string property), NspiDNToMId, NspiGetProps,
NspiQueryColumns, NspiResolveNamesW. Any other opnum gets impacket's fault (0x000006e4).
"""
import os
import struct
import sys
import traceback
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    from impacket.dcerpc.v5 import nspi, rpcrt
    from impacket.dcerpc.v5.rpcrt import DCERPCServer, MSRPC_FAULT
    from impacket.dcerpc.v5.dtypes import DWORD, NULL
    from impacket import uuid as impacket_uuid
    import impacket_ndr as spec
except ImportError as e:  # the C++ test reports this text
    sys.stderr.write('impacket is not importable by %s: %s (install python3-impacket)\n' % (sys.executable, e))
    sys.exit(2)

NSPI_UUID = ('F5CC5A18-4264-101A-8C59-08002B2F8426', '56.0')
SERVER_GUID = bytes.fromhex('a1b2c3d4e5f60718293a4b5c6d7e8f90')

# Property tags (shared/protocol/props_core.tsv).
ENTRY_ID = 0x0FFF0102
INSTANCE_KEY = 0x0FF60102
OBJECT_TYPE = 0x0FFE0003
DISPLAY_TYPE = 0x39000003
DISPLAY_NAME = 0x3001001F
ADDRESS_TYPE = 0x3002001F
EMAIL_ADDRESS = 0x3003001F
SMTP_ADDRESS = 0x39FE001F
ACCOUNT = 0x3A00001F
TITLE = 0x3A17001F
CONTAINER_FLAGS = 0x36000003
DEPTH = 0x30050003
CONTAINER_ID = 0xFFFD0003

# Special MIds (MS-OXNSPI 2.2.1.8) and codes (MS-OXCDATA 2.4).
MID_BEGINNING_OF_TABLE = 0
MID_END_OF_TABLE = 2
MID_UNRESOLVED = 0
MID_AMBIGUOUS = 1
SUCCESS = 0
ERRORS_RETURNED = 0x00040380
NOT_FOUND = 0x8004010F
INVALID_BOOKMARK = 0x80040405
RELOP_EQ = 4

ORG = '/o=Example/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn='

# The address book: MId, then the properties every entry has.
DIRECTORY = [
    {'mid': 0x1001, 'account': 'alice', 'name': 'Alice Ünicode', 'smtp': 'alice@example.org', 'title': 'Engineer'},
    {'mid': 0x1002, 'account': 'bob', 'name': 'Bob Builder', 'smtp': 'bob@example.org', 'title': 'Architect'},
    {'mid': 0x1003, 'account': 'carol', 'name': 'Carol Singer', 'smtp': 'carol@example.org', 'title': 'Director'},
    {'mid': 0x1004, 'account': 'bobby', 'name': 'Bobby Tables', 'smtp': 'bobby@example.org', 'title': 'Intern'},
]


def ephemeral_entry_id(mid, display_type=0):
    """MS-OXNSPI 2.2.9.2: type 0x87, three reserved bytes, provider UID, R4 = 1, display type, MId."""
    return (bytes([0x87, 0, 0, 0]) + SERVER_GUID + (1).to_bytes(4, 'little') + display_type.to_bytes(4, 'little') +
            mid.to_bytes(4, 'little'))


def properties(entry):
    return {
        ENTRY_ID: ephemeral_entry_id(entry['mid']),
        INSTANCE_KEY: entry['mid'].to_bytes(4, 'little'),
        OBJECT_TYPE: 6,  # MAPI_MAILUSER
        DISPLAY_TYPE: 0,  # DT_MAILUSER
        DISPLAY_NAME: entry['name'],
        ADDRESS_TYPE: 'EX',
        EMAIL_ADDRESS: ORG + entry['account'],
        SMTP_ADDRESS: entry['smtp'],
        ACCOUNT: entry['account'],
        TITLE: entry['title'],
    }


COLUMNS = [ENTRY_ID, INSTANCE_KEY, OBJECT_TYPE, DISPLAY_TYPE, DISPLAY_NAME, ADDRESS_TYPE, EMAIL_ADDRESS,
           SMTP_ADDRESS, ACCOUNT, TITLE]
DEFAULT_COLUMNS = [ENTRY_ID, DISPLAY_NAME, SMTP_ADDRESS]
BY_MID = {e['mid']: e for e in DIRECTORY}
handles = set()


def present(request, name):
    """Is the [unique] pointer parameter `name` non-NULL? (request[name] would give its referent.)"""
    return request.fields[name].fields.get('ReferentID', 0) != 0


def tags_of(request, name='pPropTags'):
    """The tags of a [unique] PropertyTagArray_r* parameter as impacket parsed it, or None for NULL."""
    if not present(request, name):
        return None
    return [t['Data'] for t in request.fields[name]['aulPropTag']]


def row_for(entry, tags):
    """(tag, value) pairs: a missing property becomes PtypErrorCode with NotFound (MS-OXNSPI 3.1.4.1.7)."""
    props = properties(entry)
    out = []
    for tag in tags:
        if tag in props:
            out.append((tag, props[tag]))
        else:
            out.append(((tag & 0xFFFF0000) | 0x000A, NOT_FOUND))
    return out


def fill_stat(target, source, **changes):
    for name, _ in nspi.STAT.structure:
        target[name] = changes.get(name, source[name])


def check_handle(request, field='hRpc'):
    return bytes(request[field]['context_handle_uuid']) in handles


# ---- the methods ----------------------------------------------------------------------------------
def bind(data):
    request = nspi.NspiBind(data)
    response = nspi.NspiBindResponse()
    handle = uuid.uuid4().bytes
    handles.add(handle)
    response['contextHandle']['context_handle_attributes'] = 0
    response['contextHandle']['context_handle_uuid'] = handle
    if present(request, 'pServerGuid'):
        response['pServerGuid'] = SERVER_GUID
    else:
        response['pServerGuid'] = NULL
    response['ErrorCode'] = SUCCESS
    return response.getData()


def unbind(data):
    request = nspi.NspiUnbind(data)
    handles.discard(bytes(request['contextHandle']['context_handle_uuid']))
    response = nspi.NspiUnbindResponse()
    response['ErrorCode'] = 1  # MS-OXNSPI 3.1.4.1.2: the handle is destroyed
    return response.getData()


def get_special_table(data):
    request = spec.NspiGetSpecialTableSpec(data)
    response = spec.NspiGetSpecialTableResponseSpec()
    response['lpVersion'] = request['lpVersion'] + 1
    if not check_handle(request):
        response['ppRows'] = NULL
        response['ErrorCode'] = 0x80070005  # AccessDenied
        return response.getData()
    spec.row_set(response['ppRows'], [[(DISPLAY_NAME, 'Global Address List'), (CONTAINER_ID, 0),
                                       (CONTAINER_FLAGS, 1), (DEPTH, 0)]])
    response['ErrorCode'] = SUCCESS
    return response.getData()


def query_rows(data):
    request = nspi.NspiQueryRows(data)
    stat = request['pStat']
    tags = tags_of(request) or DEFAULT_COLUMNS
    response = nspi.NspiQueryRowsResponse()
    if present(request, 'lpETable'):
        mids = [m['Data'] for m in request.fields['lpETable']['Data']]
        entries = [BY_MID[m] for m in mids if m in BY_MID]
        fill_stat(response['pStat'], stat)
    else:
        mids = [e['mid'] for e in DIRECTORY]
        current = stat['CurrentRec']
        if current == MID_BEGINNING_OF_TABLE:
            start = 0
        elif current == MID_END_OF_TABLE:
            start = len(mids)
        elif current in mids:
            start = mids.index(current)
        else:
            response['pStat'] = stat
            response['ppRows'] = NULL
            response['ErrorCode'] = INVALID_BOOKMARK
            return response.getData()
        start = min(max(start + stat['Delta'], 0), len(mids))
        entries = DIRECTORY[start:start + request['Count']]
        end = start + len(entries)
        fill_stat(response['pStat'], stat, CurrentRec=mids[end] if end < len(mids) else MID_END_OF_TABLE,
                  Delta=0, NumPos=end, TotalRecs=len(mids))
    spec.row_set(response['ppRows'], [row_for(e, tags) for e in entries])
    response['ErrorCode'] = SUCCESS
    return response.getData()


def get_matches(data):
    request = spec.NspiGetMatches(data)
    stat = request['pStat']
    tags = tags_of(request) or DEFAULT_COLUMNS
    matches = DIRECTORY
    if present(request, 'Filter'):
        res = request.fields['Filter']
        if res['rt'] != 4 or res['res']['resProperty']['relop'] != RELOP_EQ:
            raise ValueError('only a property restriction with RELOP_EQ is served')
        prop = res['res']['resProperty']['lpProp']
        tag = res['res']['resProperty']['ulPropTag']
        wanted = prop['Value']['lpszW'].rstrip('\x00').lower()
        matches = [e for e in DIRECTORY if str(properties(e).get(tag, '')).lower() == wanted]
    matches = matches[:request['ulRequested']]
    response = spec.NspiGetMatchesResponse()
    fill_stat(response['pStat'], stat, CurrentRec=matches[0]['mid'] if matches else MID_END_OF_TABLE,
              NumPos=0, TotalRecs=len(matches))
    spec.tag_array(response['ppMIds'], [e['mid'] for e in matches])
    spec.row_set(response['ppRows'], [row_for(e, tags) for e in matches])
    response['ErrorCode'] = SUCCESS
    return response.getData()


def dn_to_mid(data):
    request = nspi.NspiDNToMId(data)
    by_dn = {(ORG + e['account']).lower(): e['mid'] for e in DIRECTORY}
    mids = [by_dn.get(s['Data'].rstrip('\x00').lower(), MID_UNRESOLVED) for s in request['pNames']['Strings']]
    response = nspi.NspiDNToMIdResponse()
    spec.tag_array(response['ppOutMIds'], mids)
    response['ErrorCode'] = SUCCESS
    return response.getData()


def get_props(data):
    request = spec.NspiGetPropsSpec(data)
    mid = request['pStat']['CurrentRec']
    response = nspi.NspiGetPropsResponse()
    entry = BY_MID.get(mid)
    if entry is None:
        response['ppRows'] = NULL
        response['ErrorCode'] = NOT_FOUND
        return response.getData()
    tags = tags_of(request) or COLUMNS
    props = row_for(entry, tags)
    spec.row(response['ppRows'], props)
    missing = any(t != want for (t, _), want in zip(props, tags))
    response['ErrorCode'] = ERRORS_RETURNED if missing else SUCCESS
    return response.getData()


def query_columns(data):
    nspi.NspiQueryColumns(data)
    response = nspi.NspiQueryColumnsResponse()
    spec.tag_array(response['ppColumns'], COLUMNS)
    response['ErrorCode'] = SUCCESS
    return response.getData()


def resolve_names_w(data):
    request = nspi.NspiResolveNamesW(data)
    tags = tags_of(request) or DEFAULT_COLUMNS
    mids, rows = [], []
    for s in request['paStr']['Strings']:
        name = s['Data'].rstrip('\x00').lower()
        # Ambiguous name resolution, simplified: an exact account, SMTP address or display name, else
        # a unique display-name prefix.
        exact = [e for e in DIRECTORY if name in (e['account'], e['smtp'], e['name'].lower())]
        found = exact or [e for e in DIRECTORY if e['name'].lower().startswith(name)]
        if len(found) == 1:
            mids.append(found[0]['mid'])
            rows.append(row_for(found[0], tags))
        else:
            mids.append(MID_AMBIGUOUS if found else MID_UNRESOLVED)
    response = nspi.NspiResolveNamesWResponse()
    spec.tag_array(response['ppMIds'], mids)
    spec.row_set(response['ppRows'], rows)
    response['ErrorCode'] = SUCCESS
    return response.getData()


def logged(method):
    """DCERPCServer drops the connection silently when a callback raises: say why on stderr first."""
    def run(data):
        try:
            return method(data)
        except Exception:
            traceback.print_exc()
            raise
    return run


# Three gaps in impacket 0.10's DCERPCServer that would make every rejection look like a dead server:
# - Its log line for a rejected bind formats the (uuid, version) tuple with a single %s and raises;
#   the server module gets a bin_to_uuidtup that returns one string (it uses it only to log).
# - A bind_ack rejecting the context leaves SecondaryAddr unset and getData() raises, so impacket
#   drops the connection instead of answering. The ack gets the empty secondary address (length 1:
#   its NUL) that impacket itself sends when it accepts; the rejection result and reason stay its own.
# - Its fault PDU body is the 4-byte status alone, without the 4 reserved bytes that follow it
#   (C706 12.6.4.7), which a strict client rejects as truncated; the status stays impacket's.
rpcrt.bin_to_uuidtup = lambda b: '%s v%s' % impacket_uuid.bin_to_uuidtup(b)
ImpacketBindAck = rpcrt.MSRPCBindAck


class BindAck(ImpacketBindAck):
    def getData(self):
        if 'SecondaryAddr' not in self.fields:
            self['SecondaryAddr'] = ''
            self['SecondaryAddrLen'] = 1
            self['Pad'] = b'A' * ((4 - ((1 + self._SIZE) % 4)) % 4)
        return ImpacketBindAck.getData(self)


rpcrt.MSRPCBindAck = BindAck


class NspiServer(DCERPCServer):
    def processRequest(self, data):
        answer = DCERPCServer.processRequest(self, data)
        if answer is not None and answer['type'] == MSRPC_FAULT and len(answer['pduData']) == 4:
            answer['pduData'] += struct.pack('<L', 0)
            answer['frag_len'] = len(answer)
        return answer


def main():
    server = NspiServer()
    methods = {0: bind, 1: unbind, 3: query_rows, 5: get_matches, 7: dn_to_mid, 9: get_props,
               12: get_special_table, 16: query_columns, 20: resolve_names_w}
    server.addCallbacks(NSPI_UUID, '', {opnum: logged(m) for opnum, m in methods.items()})
    # run() only starts listening; listen first so that the port we print already accepts.
    server._sock.listen(10)
    print('PORT %d' % server.getListenPort(), flush=True)
    server.run()


if __name__ == '__main__':
    main()
