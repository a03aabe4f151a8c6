// Transport ROPs (MS-OXCROPS 2.2.7; semantics in MS-OXOMSG 2.2.3) and RopWritePerUserInformation (2.2.3.13).
#pragma once

#include "rop/rop_codec.hpp"

namespace exmapi::rop {

using TransportRops = RopList<>;

}  // namespace exmapi::rop
