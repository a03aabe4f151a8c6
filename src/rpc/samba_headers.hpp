// Samba's public client headers, made usable from C++. Include this only from src/rpc/*.cpp: no Samba
// type leaks into our own headers, so nothing outside src/rpc needs Samba's include paths.
//
// - No Samba header (nor tevent.h) has extern "C" guards.
// - credentials.h forward-declares `enum smb_signing_setting;` and `enum smb_encryption_setting;`,
//   which C++ rejects without an underlying type; declaring them first with `: int` (what the C
//   compiler uses for these small enums) makes the later forward declarations redeclarations.
// - tevent_loop_allow_nesting() is declared only under TEVENT_DEPRECATED; Kerberos needs it
//   (Samba's send_to_kdc runs a nested loop on our event context and aborts without it).
// The include order is the one SAMBA_NOTES.md found to work.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#ifndef TEVENT_DEPRECATED
#define TEVENT_DEPRECATED
#endif

enum smb_signing_setting : int;
enum smb_encryption_setting : int;

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
