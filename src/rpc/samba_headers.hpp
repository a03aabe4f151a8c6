// Samba's public client headers, made usable from C++. Include this only from src/rpc/*.cpp: no Samba
// type leaks into our own headers, so nothing outside src/rpc needs Samba's include paths.
//
// - No Samba header (nor tevent.h) has extern "C" guards.
// - credentials.h forward-declares `enum smb_signing_setting;` and `enum smb_encryption_setting;`,
//   which C++ rejects (an opaque enum needs a fixed type). SAMBA_NOTES.md declares them first with
//   `: int`, which g++ accepts but clang refuses ("previously declared with fixed underlying type").
//   Both accept `enum E;` after a complete definition, and the real definitions are not installed, so
//   we define them with one placeholder enumerator: int-sized like the C enums (which hold -1). We
//   never call the functions that take them.
// - tevent_loop_allow_nesting() is declared only under TEVENT_DEPRECATED; Kerberos needs it
//   (Samba's send_to_kdc runs a nested loop on our event context and aborts without it).
// The include order is the one SAMBA_NOTES.md found to work.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#ifndef TEVENT_DEPRECATED
#define TEVENT_DEPRECATED
#endif

enum smb_signing_setting { exmapi_smb_signing_setting_unused = -1 };
enum smb_encryption_setting { exmapi_smb_encryption_setting_unused = -1 };

extern "C" {
#include <talloc.h>
#include <tevent.h>
#include <util/data_blob.h>
#include <core/ntstatus.h>
#include <ndr.h>
#include <dcerpc.h>
#include <credentials.h>
#include <param.h>
}
