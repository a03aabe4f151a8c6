// Folder ROPs (MS-OXCROPS 2.2.4; semantics in MS-OXCFOLD 2.2.1).
#pragma once

#include "rop/rop_codec.hpp"

namespace exmapi::rop {

// The response of the copy/move ROPs (RopMoveCopyMessages 2.2.4.6.2, RopMoveFolder 2.2.4.7.2,
// RopCopyFolder 2.2.4.8.2): on ecDstNullObject (0x503) the failing DestHandleIndex (4 bytes) comes
// before PartialCompletion, which every other outcome carries alone.
template <RopId Id>
struct CopyMoveResponse {
  static constexpr RopId kId = Id;
  uint8_t source_handle_index = 0;
  uint32_t return_value = 0;
  uint32_t dest_handle_index = 0;
  uint8_t partial_completion = 0;
  friend bool operator==(const CopyMoveResponse&, const CopyMoveResponse&) = default;
  template <class A>
  void describe(A& a) {
    a.u8("SourceHandleIndex", source_handle_index);
    a.return_value("ReturnValue", return_value);
    if (return_value == ec::NullDestinationObject) a.u32("DestHandleIndex", dest_handle_index);
    a.u8("PartialCompletion", partial_completion);
  }
};

// Responses with PartialCompletion after ReturnValue whatever its value (RopDeleteFolder 2.2.4.3.2,
// RopDeleteMessages 2.2.4.11.2, RopHardDeleteMessages 2.2.4.12.2, RopEmptyFolder 2.2.4.9.2,
// RopHardDeleteMessagesAndSubfolders 2.2.4.10.2).
template <RopId Id>
struct PartialCompletionResponse {
  static constexpr RopId kId = Id;
  uint8_t input_handle_index = 0;
  uint32_t return_value = 0;
  uint8_t partial_completion = 0;
  friend bool operator==(const PartialCompletionResponse&, const PartialCompletionResponse&) = default;
  template <class A>
  void describe(A& a) {
    a.u8("InputHandleIndex", input_handle_index);
    a.return_value("ReturnValue", return_value);
    a.u8("PartialCompletion", partial_completion);
  }
};

// MS-OXCROPS 2.2.4.1.
struct RopOpenFolder {
  static constexpr RopId kId = RopId::OpenFolder;
  struct Request {
    static constexpr RopId kId = RopId::OpenFolder;
    uint8_t logon_id = 0, input_handle_index = 0, output_handle_index = 0;
    uint64_t folder_id = 0;
    uint8_t open_mode_flags = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("OutputHandleIndex", output_handle_index);
      a.object_id("FolderId", folder_id);
      a.u8("OpenModeFlags", open_mode_flags);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::OpenFolder;
    uint8_t output_handle_index = 0;
    uint32_t return_value = 0;
    uint8_t has_rules = 0, is_ghosted = 0;
    ServerList servers;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "OutputHandleIndex", output_handle_index, return_value)) return;
      a.u8("HasRules", has_rules);
      a.u8("IsGhosted", is_ghosted);
      if (is_ghosted) servers.describe(a, "ServerCount", "CheapServerCount", "Servers");
    }
  };
};

// MS-OXCROPS 2.2.4.2. DisplayName and Comment are UTF-16 when UseUnicodeStrings is non-zero.
struct RopCreateFolder {
  static constexpr RopId kId = RopId::CreateFolder;
  struct Request {
    static constexpr RopId kId = RopId::CreateFolder;
    uint8_t logon_id = 0, input_handle_index = 0, output_handle_index = 0;
    uint8_t folder_type = 1, use_unicode_strings = 1, open_existing = 0, reserved = 0;
    std::string display_name, comment;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("OutputHandleIndex", output_handle_index);
      a.u8("FolderType", folder_type);
      a.u8("UseUnicodeStrings", use_unicode_strings);
      a.u8("OpenExisting", open_existing);
      a.u8("Reserved", reserved);
      a.text("DisplayName", display_name, use_unicode_strings != 0);
      a.text("Comment", comment, use_unicode_strings != 0);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::CreateFolder;
    uint8_t output_handle_index = 0;
    uint32_t return_value = 0;
    uint64_t folder_id = 0;
    uint8_t is_existing_folder = 0, has_rules = 0, is_ghosted = 0;
    ServerList servers;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "OutputHandleIndex", output_handle_index, return_value)) return;
      a.object_id("FolderId", folder_id);
      a.u8("IsExistingFolder", is_existing_folder);
      if (!is_existing_folder) return;
      a.u8("HasRules", has_rules);
      a.u8("IsGhosted", is_ghosted);
      if (is_ghosted) servers.describe(a, "ServerCount", "CheapServerCount", "Servers");
    }
  };
};

// MS-OXCROPS 2.2.4.3.
struct RopDeleteFolder {
  static constexpr RopId kId = RopId::DeleteFolder;
  struct Request {
    static constexpr RopId kId = RopId::DeleteFolder;
    uint8_t logon_id = 0, input_handle_index = 0, delete_folder_flags = 0;
    uint64_t folder_id = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("DeleteFolderFlags", delete_folder_flags);
      a.object_id("FolderId", folder_id);
    }
  };
  using Response = PartialCompletionResponse<RopId::DeleteFolder>;
};

// MS-OXCROPS 2.2.4.4. RestrictionDataSize 0 keeps the current restriction.
struct RopSetSearchCriteria {
  static constexpr RopId kId = RopId::SetSearchCriteria;
  struct Request {
    static constexpr RopId kId = RopId::SetSearchCriteria;
    uint8_t logon_id = 0, input_handle_index = 0;
    std::optional<Restriction> restriction;
    std::vector<uint64_t> folder_ids;
    uint32_t search_flags = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      restriction16(a, "RestrictionDataSize", "RestrictionData", restriction);
      size_t n = a.count16("FolderIdCount", folder_ids.size());
      a.list("FolderIds", folder_ids, n, 8, [](auto& a, uint64_t& id) { a.object_id("", id); });
      a.u32("SearchFlags", search_flags);
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(SetSearchCriteria, "InputHandleIndex");
};

// MS-OXCROPS 2.2.4.5.
struct RopGetSearchCriteria {
  static constexpr RopId kId = RopId::GetSearchCriteria;
  struct Request {
    static constexpr RopId kId = RopId::GetSearchCriteria;
    uint8_t logon_id = 0, input_handle_index = 0, use_unicode = 0, include_restriction = 0, include_folders = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("UseUnicode", use_unicode);
      a.u8("IncludeRestriction", include_restriction);
      a.u8("IncludeFolders", include_folders);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::GetSearchCriteria;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    std::optional<Restriction> restriction;
    uint8_t logon_id = 0;
    std::vector<uint64_t> folder_ids;
    uint32_t search_flags = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "InputHandleIndex", input_handle_index, return_value)) return;
      restriction16(a, "RestrictionDataSize", "RestrictionData", restriction);
      a.u8("LogonId", logon_id);
      size_t n = a.count16("FolderIdCount", folder_ids.size());
      a.list("FolderIds", folder_ids, n, 8, [](auto& a, uint64_t& id) { a.object_id("", id); });
      a.u32("SearchFlags", search_flags);
    }
  };
};

// MS-OXCROPS 2.2.4.6.
struct RopMoveCopyMessages {
  static constexpr RopId kId = RopId::MoveCopyMessages;
  struct Request {
    static constexpr RopId kId = RopId::MoveCopyMessages;
    uint8_t logon_id = 0, source_handle_index = 0, dest_handle_index = 0;
    std::vector<uint64_t> message_ids;
    uint8_t want_asynchronous = 0, want_copy = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("SourceHandleIndex", source_handle_index);
      a.u8("DestHandleIndex", dest_handle_index);
      size_t n = a.count16("MessageIdCount", message_ids.size());
      a.list("MessageIds", message_ids, n, 8, [](auto& a, uint64_t& id) { a.object_id("", id); });
      a.u8("WantAsynchronous", want_asynchronous);
      a.u8("WantCopy", want_copy);
    }
  };
  using Response = CopyMoveResponse<RopId::MoveCopyMessages>;
};

// MS-OXCROPS 2.2.4.7.
struct RopMoveFolder {
  static constexpr RopId kId = RopId::MoveFolder;
  struct Request {
    static constexpr RopId kId = RopId::MoveFolder;
    uint8_t logon_id = 0, source_handle_index = 0, dest_handle_index = 0, want_asynchronous = 0, use_unicode = 1;
    uint64_t folder_id = 0;
    std::string new_folder_name;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("SourceHandleIndex", source_handle_index);
      a.u8("DestHandleIndex", dest_handle_index);
      a.u8("WantAsynchronous", want_asynchronous);
      a.u8("UseUnicode", use_unicode);
      a.object_id("FolderId", folder_id);
      a.text("NewFolderName", new_folder_name, use_unicode != 0);
    }
  };
  using Response = CopyMoveResponse<RopId::MoveFolder>;
};

// MS-OXCROPS 2.2.4.8.
struct RopCopyFolder {
  static constexpr RopId kId = RopId::CopyFolder;
  struct Request {
    static constexpr RopId kId = RopId::CopyFolder;
    uint8_t logon_id = 0, source_handle_index = 0, dest_handle_index = 0, want_asynchronous = 0, want_recursive = 0,
            use_unicode = 1;
    uint64_t folder_id = 0;
    std::string new_folder_name;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("SourceHandleIndex", source_handle_index);
      a.u8("DestHandleIndex", dest_handle_index);
      a.u8("WantAsynchronous", want_asynchronous);
      a.u8("WantRecursive", want_recursive);
      a.u8("UseUnicode", use_unicode);
      a.object_id("FolderId", folder_id);
      a.text("NewFolderName", new_folder_name, use_unicode != 0);
    }
  };
  using Response = CopyMoveResponse<RopId::CopyFolder>;
};

// RopEmptyFolder (2.2.4.9) and RopHardDeleteMessagesAndSubfolders (2.2.4.10) share one request form.
template <RopId Id>
struct EmptyFolderRequest {
  static constexpr RopId kId = Id;
  uint8_t logon_id = 0, input_handle_index = 0, want_asynchronous = 0, want_delete_associated = 0;
  friend bool operator==(const EmptyFolderRequest&, const EmptyFolderRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u8("LogonId", logon_id);
    a.u8("InputHandleIndex", input_handle_index);
    a.u8("WantAsynchronous", want_asynchronous);
    a.u8("WantDeleteAssociated", want_delete_associated);
  }
};
struct RopEmptyFolder {
  static constexpr RopId kId = RopId::EmptyFolder;
  using Request = EmptyFolderRequest<RopId::EmptyFolder>;
  using Response = PartialCompletionResponse<RopId::EmptyFolder>;
};
struct RopHardDeleteMessagesAndSubfolders {
  static constexpr RopId kId = RopId::HardDeleteMessagesAndSubfolders;
  using Request = EmptyFolderRequest<RopId::HardDeleteMessagesAndSubfolders>;
  using Response = PartialCompletionResponse<RopId::HardDeleteMessagesAndSubfolders>;
};

// RopDeleteMessages (2.2.4.11) and RopHardDeleteMessages (2.2.4.12) share one request form.
template <RopId Id>
struct DeleteMessagesRequest {
  static constexpr RopId kId = Id;
  uint8_t logon_id = 0, input_handle_index = 0, want_asynchronous = 0, notify_non_read = 0;
  std::vector<uint64_t> message_ids;
  friend bool operator==(const DeleteMessagesRequest&, const DeleteMessagesRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u8("LogonId", logon_id);
    a.u8("InputHandleIndex", input_handle_index);
    a.u8("WantAsynchronous", want_asynchronous);
    a.u8("NotifyNonRead", notify_non_read);
    size_t n = a.count16("MessageIdCount", message_ids.size());
    a.list("MessageIds", message_ids, n, 8, [](auto& a, uint64_t& id) { a.object_id("", id); });
  }
};
struct RopDeleteMessages {
  static constexpr RopId kId = RopId::DeleteMessages;
  using Request = DeleteMessagesRequest<RopId::DeleteMessages>;
  using Response = PartialCompletionResponse<RopId::DeleteMessages>;
};
struct RopHardDeleteMessages {
  static constexpr RopId kId = RopId::HardDeleteMessages;
  using Request = DeleteMessagesRequest<RopId::HardDeleteMessages>;
  using Response = PartialCompletionResponse<RopId::HardDeleteMessages>;
};

// RopGetHierarchyTable (2.2.4.13) and RopGetContentsTable (2.2.4.14): TableFlags in, RowCount out.
template <RopId Id>
struct GetTableRequest {
  static constexpr RopId kId = Id;
  uint8_t logon_id = 0, input_handle_index = 0, output_handle_index = 0, table_flags = 0;
  friend bool operator==(const GetTableRequest&, const GetTableRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u8("LogonId", logon_id);
    a.u8("InputHandleIndex", input_handle_index);
    a.u8("OutputHandleIndex", output_handle_index);
    a.u8("TableFlags", table_flags);
  }
};
template <RopId Id>
struct GetTableResponse {
  static constexpr RopId kId = Id;
  uint8_t output_handle_index = 0;
  uint32_t return_value = 0;
  uint32_t row_count = 0;
  friend bool operator==(const GetTableResponse&, const GetTableResponse&) = default;
  template <class A>
  void describe(A& a) {
    a.u8("OutputHandleIndex", output_handle_index);
    a.return_value("ReturnValue", return_value);
    if (return_value == ec::Success) a.u32("RowCount", row_count);
  }
};
struct RopGetHierarchyTable {
  static constexpr RopId kId = RopId::GetHierarchyTable;
  using Request = GetTableRequest<RopId::GetHierarchyTable>;
  using Response = GetTableResponse<RopId::GetHierarchyTable>;
};
struct RopGetContentsTable {
  static constexpr RopId kId = RopId::GetContentsTable;
  using Request = GetTableRequest<RopId::GetContentsTable>;
  using Response = GetTableResponse<RopId::GetContentsTable>;
};

using FolderRops = RopList<RopOpenFolder, RopCreateFolder, RopDeleteFolder, RopSetSearchCriteria, RopGetSearchCriteria,
                           RopMoveCopyMessages, RopMoveFolder, RopCopyFolder, RopEmptyFolder,
                           RopHardDeleteMessagesAndSubfolders, RopDeleteMessages, RopHardDeleteMessages,
                           RopGetHierarchyTable, RopGetContentsTable>;

}  // namespace exmapi::rop
