// Store ROPs (MS-OXCROPS 2.2.3; semantics in MS-OXCSTOR 2.2.1): logon, receive folders, long-term
// IDs, ghosted public folders and per-user information.
#pragma once

#include "rop/rop_codec.hpp"
#include "rop/rop_ids.hpp"

namespace exmapi::rop {

namespace logon_flags {
constexpr uint8_t Private = 0x01;  // private mailbox logon; clear for public folders
}

// LogonTime of the private-mailbox RopLogon response (MS-OXCROPS 2.2.3.1.2).
struct LogonTime {
  uint8_t seconds = 0, minutes = 0, hour = 0, day_of_week = 0, day = 0, month = 0;
  uint16_t year = 0;
  friend bool operator==(const LogonTime&, const LogonTime&) = default;
  template <class A>
  void describe(A& a) {
    a.u8("Seconds", seconds);
    a.u8("Minutes", minutes);
    a.u8("Hour", hour);
    a.u8("DayOfWeek", day_of_week);
    a.u8("Day", day);
    a.u8("Month", month);
    a.u16("Year", year);
  }
};

// MS-OXCROPS 2.2.3.1. The request has an OutputHandleIndex only. The success response has two shapes
// chosen by the request's LogonFlags (private mailbox 2.2.3.1.2, public folders 2.2.3.1.3), which the
// decoder takes from the ResponseContext; ecWrongServer (0x478) carries the redirect (2.2.3.1.4).
struct RopLogon {
  static constexpr RopId kId = RopId::Logon;
  struct Request {
    static constexpr RopId kId = RopId::Logon;
    uint8_t logon_id = 0, output_handle_index = 0, logon_flags = 0;
    uint32_t open_flags = 0, store_state = 0;
    std::optional<std::string> essdn;  // absent: EssdnSize 0 (public folders or the user's own mailbox)
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("OutputHandleIndex", output_handle_index);
      a.u8("LogonFlags", logon_flags);
      a.u32("OpenFlags", open_flags);
      a.u32("StoreState", store_state);
      size_t n = a.count16("EssdnSize", essdn ? essdn->size() + 1 : 0);
      if (n) a.str8_counted("Essdn", ensure(essdn), n);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::Logon;
    uint8_t output_handle_index = 0;
    uint32_t return_value = 0;
    uint8_t request_logon_flags = 0;  // not on the wire: from the request, selects the shape
    uint8_t logon_flags = 0;
    std::vector<uint64_t> folder_ids = std::vector<uint64_t>(13);
    // private mailbox
    uint8_t response_flags = 0;
    Guid mailbox_guid;
    uint16_t replica_id = 0;
    Guid replica_guid;
    LogonTime logon_time;
    uint64_t gwart_time = 0;
    uint32_t store_state = 0;
    // public folders
    Guid per_user_guid;
    // redirect
    std::string server_name;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("OutputHandleIndex", output_handle_index);
      a.return_value("ReturnValue", return_value);
      if (return_value == ec::Success) {
        a.from_context("LogonFlags", request_logon_flags, &ResponseContext::logon_flags,
                       "the RopLogon request's LogonFlags");
        a.u8("LogonFlags", logon_flags);
        a.list("FolderIds", folder_ids, 13, 8, [](auto& a, uint64_t& id) { a.object_id("", id); });
        if (request_logon_flags & logon_flags::Private) {
          a.u8("ResponseFlags", response_flags);
          a.guid("MailboxGuid", mailbox_guid);
          a.u16("ReplId", replica_id);
          a.guid("ReplGuid", replica_guid);
          a.object("LogonTime", logon_time);
          a.u64("GwartTime", gwart_time);
          a.u32("StoreState", store_state);
        } else {
          a.u16("ReplId", replica_id);
          a.guid("ReplGuid", replica_guid);
          a.guid("PerUserGuid", per_user_guid);
        }
      } else if (return_value == ec::WrongServer) {
        a.u8("LogonFlags", logon_flags);
        size_t n = a.count8("ServerNameSize", server_name.size() + 1);
        a.str8_counted("ServerName", server_name, n);
      }
    }
  };
};

// MS-OXCROPS 2.2.3.2.
struct RopGetReceiveFolder {
  static constexpr RopId kId = RopId::GetReceiveFolder;
  struct Request {
    static constexpr RopId kId = RopId::GetReceiveFolder;
    uint8_t logon_id = 0, input_handle_index = 0;
    std::string message_class;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.str8z("MessageClass", message_class);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::GetReceiveFolder;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    uint64_t folder_id = 0;
    std::string explicit_message_class;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "InputHandleIndex", input_handle_index, return_value)) return;
      a.object_id("FolderId", folder_id);
      a.str8z("ExplicitMessageClass", explicit_message_class);
    }
  };
};

// MS-OXCROPS 2.2.3.3.
struct RopSetReceiveFolder {
  static constexpr RopId kId = RopId::SetReceiveFolder;
  struct Request {
    static constexpr RopId kId = RopId::SetReceiveFolder;
    uint8_t logon_id = 0, input_handle_index = 0;
    uint64_t folder_id = 0;
    std::string message_class;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.object_id("FolderId", folder_id);
      a.str8z("MessageClass", message_class);
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(SetReceiveFolder, "InputHandleIndex");
};

// MS-OXCROPS 2.2.3.4. The rows have the fixed columns PidTagFolderId, PidTagMessageClass (8-bit) and
// PidTagLastModificationTime.
inline const std::vector<PropTag>& receive_folder_table_columns() {
  static const std::vector<PropTag> columns{0x67480014, 0x001A001E, 0x30080040};
  return columns;
}
struct RopGetReceiveFolderTable {
  static constexpr RopId kId = RopId::GetReceiveFolderTable;
  EXMAPI_ROP_PLAIN_REQUEST(GetReceiveFolderTable);
  struct Response {
    static constexpr RopId kId = RopId::GetReceiveFolderTable;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    std::vector<PropertyRow> rows;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "InputHandleIndex", input_handle_index, return_value)) return;
      size_t n = a.count32("RowCount", rows.size());
      RowCodec codec{&receive_folder_table_columns()};
      a.list("Rows", rows, n, 1, [&](auto& a, PropertyRow& row) { a.value("", row, codec); });
    }
  };
};

// MS-OXCROPS 2.2.3.5.
struct RopGetStoreState {
  static constexpr RopId kId = RopId::GetStoreState;
  EXMAPI_ROP_PLAIN_REQUEST(GetStoreState);
  struct Response {
    static constexpr RopId kId = RopId::GetStoreState;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    uint32_t store_state = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("InputHandleIndex", input_handle_index);
      a.return_value("ReturnValue", return_value);
      if (return_value == ec::Success) a.u32("StoreState", store_state);
    }
  };
};

// MS-OXCROPS 2.2.3.6.
struct RopGetOwningServers {
  static constexpr RopId kId = RopId::GetOwningServers;
  EXMAPI_ROP_FOLDER_ID_REQUEST(GetOwningServers);
  struct Response {
    static constexpr RopId kId = RopId::GetOwningServers;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    ServerList owning_servers;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("InputHandleIndex", input_handle_index);
      a.return_value("ReturnValue", return_value);
      if (return_value == ec::Success)
        owning_servers.describe(a, "OwningServersCount", "CheapServersCount", "OwningServers");
    }
  };
};

// MS-OXCROPS 2.2.3.7.
struct RopPublicFolderIsGhosted {
  static constexpr RopId kId = RopId::PublicFolderIsGhosted;
  EXMAPI_ROP_FOLDER_ID_REQUEST(PublicFolderIsGhosted);
  struct Response {
    static constexpr RopId kId = RopId::PublicFolderIsGhosted;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    uint8_t is_ghosted = 0;
    ServerList servers;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "InputHandleIndex", input_handle_index, return_value)) return;
      a.u8("IsGhosted", is_ghosted);
      if (is_ghosted) servers.describe(a, "ServersCount", "CheapServersCount", "Servers");
    }
  };
};

// MS-OXCROPS 2.2.3.8.
struct RopLongTermIdFromId {
  static constexpr RopId kId = RopId::LongTermIdFromId;
  struct Request {
    static constexpr RopId kId = RopId::LongTermIdFromId;
    uint8_t logon_id = 0, input_handle_index = 0;
    uint64_t object_id = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.object_id("ObjectId", object_id);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::LongTermIdFromId;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    LongTermId long_term_id;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("InputHandleIndex", input_handle_index);
      a.return_value("ReturnValue", return_value);
      if (return_value == ec::Success) a.value("LongTermId", long_term_id, LongTermIdCodec{});
    }
  };
};

// MS-OXCROPS 2.2.3.9.
struct RopIdFromLongTermId {
  static constexpr RopId kId = RopId::IdFromLongTermId;
  struct Request {
    static constexpr RopId kId = RopId::IdFromLongTermId;
    uint8_t logon_id = 0, input_handle_index = 0;
    LongTermId long_term_id;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.value("LongTermId", long_term_id, LongTermIdCodec{});
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::IdFromLongTermId;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    uint64_t object_id = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("InputHandleIndex", input_handle_index);
      a.return_value("ReturnValue", return_value);
      if (return_value == ec::Success) a.object_id("ObjectId", object_id);
    }
  };
};

// MS-OXCROPS 2.2.3.10.
struct RopGetPerUserLongTermIds {
  static constexpr RopId kId = RopId::GetPerUserLongTermIds;
  struct Request {
    static constexpr RopId kId = RopId::GetPerUserLongTermIds;
    uint8_t logon_id = 0, input_handle_index = 0;
    Guid database_guid;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.guid("DatabaseGuid", database_guid);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::GetPerUserLongTermIds;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    std::vector<LongTermId> long_term_ids;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "InputHandleIndex", input_handle_index, return_value)) return;
      size_t n = a.count16("LongTermIdCount", long_term_ids.size());
      a.list("LongTermIds", long_term_ids, n, LongTermId::kSize,
             [](auto& a, LongTermId& id) { a.value("", id, LongTermIdCodec{}); });
    }
  };
};

// MS-OXCROPS 2.2.3.11.
struct RopGetPerUserGuid {
  static constexpr RopId kId = RopId::GetPerUserGuid;
  struct Request {
    static constexpr RopId kId = RopId::GetPerUserGuid;
    uint8_t logon_id = 0, input_handle_index = 0;
    LongTermId long_term_id;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.value("LongTermId", long_term_id, LongTermIdCodec{});
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::GetPerUserGuid;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    Guid database_guid;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("InputHandleIndex", input_handle_index);
      a.return_value("ReturnValue", return_value);
      if (return_value == ec::Success) a.guid("DatabaseGuid", database_guid);
    }
  };
};

// MS-OXCROPS 2.2.3.12.
struct RopReadPerUserInformation {
  static constexpr RopId kId = RopId::ReadPerUserInformation;
  struct Request {
    static constexpr RopId kId = RopId::ReadPerUserInformation;
    uint8_t logon_id = 0, input_handle_index = 0;
    LongTermId folder_id;
    uint8_t reserved = 0;
    uint32_t data_offset = 0;
    uint16_t max_data_size = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.value("FolderId", folder_id, LongTermIdCodec{});
      a.u8("Reserved", reserved);
      a.u32("DataOffset", data_offset);
      a.u16("MaxDataSize", max_data_size);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::ReadPerUserInformation;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    uint8_t has_finished = 0;
    Bytes data;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "InputHandleIndex", input_handle_index, return_value)) return;
      a.u8("HasFinished", has_finished);
      bytes16(a, "DataSize", "Data", data);
    }
  };
};

using LogonRops = RopList<RopLogon, RopGetReceiveFolder, RopSetReceiveFolder, RopGetReceiveFolderTable, RopGetStoreState,
                          RopGetOwningServers, RopPublicFolderIsGhosted, RopLongTermIdFromId, RopIdFromLongTermId,
                          RopGetPerUserLongTermIds, RopGetPerUserGuid, RopReadPerUserInformation>;

}  // namespace exmapi::rop
