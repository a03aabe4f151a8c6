// Message, recipient and attachment ROPs (MS-OXCROPS 2.2.6; semantics in MS-OXCMSG 2.2.3).
#pragma once

#include "rop/rop_codec.hpp"

namespace exmapi::rop {

using MessageRops = RopList<>;

}  // namespace exmapi::rop
