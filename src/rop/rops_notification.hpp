// Notification ROPs (MS-OXCROPS 2.2.14; semantics in MS-OXCNOTIF 2.2.1).
#pragma once

#include "rop/rop_codec.hpp"

namespace exmapi::rop {

using NotificationRops = RopList<>;

}  // namespace exmapi::rop
