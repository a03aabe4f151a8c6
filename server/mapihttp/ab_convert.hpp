// MAPI over HTTP's address book structures (MS-OXCMAPIHTTP 2.2.1) to and from the NSPI NDR types
// (MS-OXNSPI 2.2.2) that NspiService answers with: one conversion per structure, so that every
// address book request type reaches the same NspiService::answer() as its RPC counterpart.
#pragma once

#include <optional>
#include <vector>

#include "mapihttp/ab_values.hpp"
#include "mapihttp/bodies.hpp"
#include "ndr/nspi_types.hpp"
#include "rop/restriction.hpp"

namespace exmapi::server::mapihttp_ab {

// PropertyValue_r <-> AddressBookPropertyValue's value (same type; strings stay UTF-8 or code-page
// bytes as both sides keep them). Throws DecodeError for a type one side cannot carry.
rop::PropertyValue to_rop(const ndr::nspi::PropertyValue& v);
ndr::nspi::PropertyValue to_ndr(rop::PropTag tag, const rop::PropertyValue& v);

// AddressBookTaggedPropertyValue <-> PropertyValue_r. An absent value (HasValue FALSE) has no NDR
// form: DecodeError.
mapihttp::AbTaggedValue to_ab(const ndr::nspi::PropertyValue& v);
ndr::nspi::PropertyValue to_ndr(const mapihttp::AbTaggedValue& v);

// AddressBookPropertyValueList <-> PropertyRow_r (GetProps, GetTemplateInfo, GetSpecialTable rows).
mapihttp::AbValueList to_ab_list(const ndr::nspi::PropertyRow& row);
ndr::nspi::PropertyRow to_ndr_row(const mapihttp::AbValueList& list);

// PropertyRowSet_r against `columns` -> Columns and AddressBookPropertyRows (2.2.1.7). A row whose
// cells all have their column's type is a plain row (Flags 0x00); a row with a PtypErrorCode cell
// where the column has another type is a flagged row (Flags 0x01), that cell flagged Error.
mapihttp::ColumnsAndRows to_ab_rows(const std::vector<rop::PropTag>& columns, const ndr::nspi::PropertyRowSet& rows);

// A GetMatches Filter (MS-OXCDATA 2.12) as the Restriction_r NspiGetMatches takes (MS-OXNSPI
// 2.2.2.x). Comment and Count restrictions have no Restriction_r arm: DecodeError.
ndr::nspi::Restriction to_ndr_restriction(const rop::Restriction& r);

// LargePropertyTagArray <-> PropertyTagArray_r.
std::optional<ndr::nspi::PropertyTagArray> to_ndr_tags(const std::optional<std::vector<rop::PropTag>>& tags);
std::optional<std::vector<rop::PropTag>> to_ab_tags(const std::optional<ndr::nspi::PropertyTagArray>& tags);

}  // namespace exmapi::server::mapihttp_ab
