// Every NDR method stub of the four interfaces, listed once for generic walkers (fuzzing, round-trip
// tests, a future dispatcher): interface name, then each method's Request and Response.
#pragma once

#include <tuple>

#include "ndr/emsmdb_methods.hpp"
#include "ndr/nspi_methods.hpp"
#include "ndr/rfr_methods.hpp"

namespace exmapi::ndr {

using NspiMethods =
    std::tuple<nspi::NspiBind, nspi::NspiUnbind, nspi::NspiUpdateStat, nspi::NspiQueryRows, nspi::NspiSeekEntries,
               nspi::NspiGetMatches, nspi::NspiResortRestriction, nspi::NspiDNToMId, nspi::NspiGetPropList,
               nspi::NspiGetProps, nspi::NspiCompareMIds, nspi::NspiModProps, nspi::NspiGetSpecialTable,
               nspi::NspiGetTemplateInfo, nspi::NspiModLinkAtt, nspi::NspiQueryColumns, nspi::NspiGetNamesFromIDs,
               nspi::NspiGetIDsFromNames, nspi::NspiResolveNames, nspi::NspiResolveNamesW>;
// EMSMDB, then AsyncEMSMDB's one method.
using EmsmdbMethods = std::tuple<emsmdb::EcDoDisconnect, emsmdb::EcRRegisterPushNotification, emsmdb::EcDummyRpc,
                                 emsmdb::EcDoConnectEx, emsmdb::EcDoRpcExt2, emsmdb::EcDoAsyncConnectEx,
                                 emsmdb::EcDoAsyncWaitEx>;
using RfrMethods = std::tuple<rfr::RfrGetNewDSA, rfr::RfrGetFQDNFromServerDN>;

}  // namespace exmapi::ndr
