// Samba's server-side headers as C++ can include them: none has extern "C" guards, and
// credentials.h forward-declares two enums without an underlying type, which C++ rejects
// (SAMBA_NOTES.md, "C++"). Include this file instead of any Samba header.
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

// Complete definitions, as src/rpc/samba_headers.hpp explains: clang refuses credentials.h's later
// `enum E;` after an opaque `enum E : int;`, both compilers accept it after a definition.
enum smb_signing_setting { exmapi_smb_signing_setting_unused = -1 };
enum smb_encryption_setting { exmapi_smb_encryption_setting_unused = -1 };

extern "C" {
#include <talloc.h>
#include <tevent.h>
#include <util/data_blob.h>
#include <core/ntstatus.h>
#include <ndr.h>
#include <dcerpc.h>
#include <param.h>
#include <tsocket.h>
#include <util/idtree.h>
#include <util/idtree_random.h>
#include <gen_ndr/auth.h>
#include <dcesrv_core.h>
}
