// FastTransfer ROPs (MS-OXCROPS 2.2.12; semantics in MS-OXCFXICS 2.2.3.1.1).
#pragma once

#include "rop/rop_codec.hpp"

namespace exmapi::rop {

using FastTransferRops = RopList<>;

}  // namespace exmapi::rop
