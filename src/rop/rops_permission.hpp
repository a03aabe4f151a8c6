// Permission and rule ROPs (MS-OXCROPS 2.2.10, 2.2.11; semantics in MS-OXCPERM 2.2, MS-OXORULE 2.2).
#pragma once

#include "rop/rop_codec.hpp"

namespace exmapi::rop {

using PermissionRuleRops = RopList<>;

}  // namespace exmapi::rop
