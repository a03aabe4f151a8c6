// Incremental Change Synchronization ROPs (MS-OXCROPS 2.2.13; semantics in MS-OXCFXICS 2.2.3.2).
#pragma once

#include "rop/rop_codec.hpp"

namespace exmapi::rop {

using SyncRops = RopList<>;

}  // namespace exmapi::rop
