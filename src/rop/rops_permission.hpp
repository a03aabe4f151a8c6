// Permission and rule ROPs (MS-OXCROPS 2.2.10, 2.2.11; semantics in MS-OXCPERM 2.2, MS-OXORULE 2.2).
#pragma once

#include "rop/rop_codec.hpp"
#include "rop/rops_folder.hpp"

namespace exmapi::rop {

// PermissionData (MS-OXCROPS 2.2.10.1.1.1) and RuleData (2.2.11.1.1.1) share one layout: a flags
// byte (AddRow/ModifyRow/RemoveRow, MS-OXCPERM 2.2.2.1; ROW_ADD/ROW_MODIFY/ROW_REMOVE, MS-OXORULE
// 2.2.1.3), PropertyValueCount, then TaggedPropertyValues. A rule's PidTagRuleCondition and
// PidTagRuleActions arrive as PtypRestriction and PtypRuleAction values, which the property value
// layer decodes in full.
struct RowModification {
  uint8_t flags = 0;
  std::vector<TaggedPropertyValue> property_values;
  friend bool operator==(const RowModification&, const RowModification&) = default;
  template <class A>
  void describe(A& a, std::string_view flags_name) {
    a.u8(flags_name, flags);
    size_t n = a.count16("PropertyValueCount", property_values.size());
    a.list("PropertyValues", property_values, n, TaggedValueCodec::kMinSize,
           [](auto& a, TaggedPropertyValue& v) { a.value("", v, TaggedValueCodec{}); });
  }
};
struct PermissionData : RowModification {
  template <class A>
  void describe(A& a) {
    RowModification::describe(a, "PermissionDataFlags");
  }
};
struct RuleData : RowModification {
  template <class A>
  void describe(A& a) {
    RowModification::describe(a, "RuleDataFlags");
  }
};

// MS-OXCROPS 2.2.10.1. ModifyFlags: ReplaceRows 0x01, IncludeFreeBusy 0x02 (MS-OXCPERM 2.2.2.1).
struct RopModifyPermissions {
  static constexpr RopId kId = RopId::ModifyPermissions;
  struct Request {
    static constexpr RopId kId = RopId::ModifyPermissions;
    uint8_t logon_id = 0, input_handle_index = 0, modify_flags = 0;
    std::vector<PermissionData> permissions_data;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("ModifyFlags", modify_flags);
      size_t n = a.count16("ModifyCount", permissions_data.size());
      a.list("PermissionsData", permissions_data, n, 3, [](auto& a, PermissionData& d) { a.object("", d); });
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(ModifyPermissions, "InputHandleIndex");
};

// MS-OXCROPS 2.2.10.2. TableFlags: IncludeFreeBusy 0x02 (MS-OXCPERM 2.2.1.1).
struct RopGetPermissionsTable {
  static constexpr RopId kId = RopId::GetPermissionsTable;
  using Request = GetTableRequest<RopId::GetPermissionsTable>;
  EXMAPI_ROP_PLAIN_RESPONSE(GetPermissionsTable, "OutputHandleIndex");
};

// MS-OXCROPS 2.2.11.1. ModifyRulesFlags: ROWLIST_REPLACE 0x01 (MS-OXORULE 2.2.1.1).
struct RopModifyRules {
  static constexpr RopId kId = RopId::ModifyRules;
  struct Request {
    static constexpr RopId kId = RopId::ModifyRules;
    uint8_t logon_id = 0, input_handle_index = 0, modify_rules_flags = 0;
    std::vector<RuleData> rules_data;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("ModifyRulesFlags", modify_rules_flags);
      size_t n = a.count16("RulesCount", rules_data.size());
      a.list("RulesData", rules_data, n, 3, [](auto& a, RuleData& d) { a.object("", d); });
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(ModifyRules, "InputHandleIndex");
};

// MS-OXCROPS 2.2.11.2. TableFlags: Unicode 0x40 (MS-OXORULE 2.2.2.1).
struct RopGetRulesTable {
  static constexpr RopId kId = RopId::GetRulesTable;
  using Request = GetTableRequest<RopId::GetRulesTable>;
  EXMAPI_ROP_PLAIN_RESPONSE(GetRulesTable, "OutputHandleIndex");
};

// MS-OXCROPS 2.2.11.3: the server's and the client's entry IDs of one deferred action message.
struct RopUpdateDeferredActionMessages {
  static constexpr RopId kId = RopId::UpdateDeferredActionMessages;
  struct Request {
    static constexpr RopId kId = RopId::UpdateDeferredActionMessages;
    uint8_t logon_id = 0, input_handle_index = 0;
    Bytes server_entry_id, client_entry_id;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      bytes16(a, "ServerEntryIdSize", "ServerEntryId", server_entry_id);
      bytes16(a, "ClientEntryIdSize", "ClientEntryId", client_entry_id);
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(UpdateDeferredActionMessages, "InputHandleIndex");
};

using PermissionRuleRops = RopList<RopModifyPermissions, RopGetPermissionsTable, RopModifyRules, RopGetRulesTable,
                                   RopUpdateDeferredActionMessages>;

}  // namespace exmapi::rop
