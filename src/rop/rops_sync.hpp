// Incremental Change Synchronization ROPs (MS-OXCROPS 2.2.13; semantics in MS-OXCFXICS 2.2.3.2).
#pragma once

#include "rop/rop_codec.hpp"

namespace exmapi::rop {

// Elements that fill a region measured in bytes rather than counted (MessageReadStates): the decoder
// reads elements until the region ends. Each element reads at least one byte, so the loop ends.
template <class A, class T, class Fn>
void list_to_end(A& a, std::string_view name, std::vector<T>& v, size_t min_size, Fn&& each) {
  using Archive = std::decay_t<A>;
  if constexpr (std::is_same_v<Archive, Decoder>) {
    v.clear();
    while (!a.reader().empty()) {
      v.emplace_back();
      try {
        each(a, v.back());
      } catch (DecodeError& e) {
        detail::rethrow_with_index(e, v.size() - 1, name);
      }
    }
  } else if constexpr (std::is_same_v<Archive, Sampler>) {
    a.list(name, v, a.next() % 4, min_size, each);
  } else {
    a.list(name, v, v.size(), min_size, each);
  }
}

// A PropertyValueCount (2 bytes) and its TaggedPropertyValues (MS-OXCDATA 2.11.4).
template <class A>
void tagged_values16(A& a, std::string_view count_name, std::string_view name, std::vector<TaggedPropertyValue>& values) {
  size_t n = a.count16(count_name, values.size());
  a.list(name, values, n, TaggedValueCodec::kMinSize,
         [](auto& a, TaggedPropertyValue& v) { a.value("", v, TaggedValueCodec{}); });
}

// Bytes with a 4-byte size right before them (the XIDs and PCL of RopSynchronizationImportMessageMove).
template <class A>
void bytes32(A& a, std::string_view size_name, std::string_view name, Bytes& b) {
  size_t n = a.count32(size_name, b.size());
  a.bytes(name, b, n);
}

// MS-OXCROPS 2.2.13.1. RestrictionDataSize 0 means no restriction (MS-OXCFXICS 2.2.3.2.1.1.1).
namespace synchronization_type {
constexpr uint8_t Contents = 0x01, Hierarchy = 0x02;
}
struct RopSynchronizationConfigure {
  static constexpr RopId kId = RopId::SynchronizationConfigure;
  struct Request {
    static constexpr RopId kId = RopId::SynchronizationConfigure;
    uint8_t logon_id = 0, input_handle_index = 0, output_handle_index = 0;
    uint8_t synchronization_type = synchronization_type::Contents, send_options = 0;
    uint16_t synchronization_flags = 0;
    std::optional<Restriction> restriction;
    uint32_t synchronization_extra_flags = 0;
    std::vector<PropTag> property_tags;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("OutputHandleIndex", output_handle_index);
      a.u8("SynchronizationType", synchronization_type);
      a.u8("SendOptions", send_options);
      a.u16("SynchronizationFlags", synchronization_flags);
      restriction16(a, "RestrictionDataSize", "RestrictionData", restriction);
      a.u32("SynchronizationExtraFlags", synchronization_extra_flags);
      prop_tags16(a, "PropertyTagCount", "PropertyTags", property_tags);
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(SynchronizationConfigure, "OutputHandleIndex");
};

// MS-OXCROPS 2.2.13.2. The success response's MessageId is always 0 (the server assigns none here).
struct RopSynchronizationImportMessageChange {
  static constexpr RopId kId = RopId::SynchronizationImportMessageChange;
  struct Request {
    static constexpr RopId kId = RopId::SynchronizationImportMessageChange;
    uint8_t logon_id = 0, input_handle_index = 0, output_handle_index = 0, import_flag = 0;
    std::vector<TaggedPropertyValue> property_values;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("OutputHandleIndex", output_handle_index);
      a.u8("ImportFlag", import_flag);
      tagged_values16(a, "PropertyValueCount", "PropertyValues", property_values);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::SynchronizationImportMessageChange;
    uint8_t output_handle_index = 0;
    uint32_t return_value = 0;
    uint64_t message_id = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "OutputHandleIndex", output_handle_index, return_value)) return;
      a.object_id("MessageId", message_id);
    }
  };
};

// MS-OXCROPS 2.2.13.3. MessageReadStatesSize counts bytes, not structures; each MessageReadState
// (2.2.13.3.1.1) is MessageIdSize, MessageId (an XID) and MarkAsRead.
struct MessageReadState {
  Bytes message_id;
  uint8_t mark_as_read = 0;
  friend bool operator==(const MessageReadState&, const MessageReadState&) = default;
  template <class A>
  void describe(A& a) {
    bytes16(a, "MessageIdSize", "MessageId", message_id);
    a.u8("MarkAsRead", mark_as_read);
  }
};
struct RopSynchronizationImportReadStateChanges {
  static constexpr RopId kId = RopId::SynchronizationImportReadStateChanges;
  struct Request {
    static constexpr RopId kId = RopId::SynchronizationImportReadStateChanges;
    uint8_t logon_id = 0, input_handle_index = 0;
    std::vector<MessageReadState> message_read_states;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.sized16("MessageReadStatesSize", [&](auto& a) {
        list_to_end(a, "MessageReadStates", message_read_states, 3,
                    [](auto& a, MessageReadState& s) { a.object("", s); });
      });
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(SynchronizationImportReadStateChanges, "InputHandleIndex");
};

// MS-OXCROPS 2.2.13.4. The success response's FolderId is always 0.
struct RopSynchronizationImportHierarchyChange {
  static constexpr RopId kId = RopId::SynchronizationImportHierarchyChange;
  struct Request {
    static constexpr RopId kId = RopId::SynchronizationImportHierarchyChange;
    uint8_t logon_id = 0, input_handle_index = 0;
    std::vector<TaggedPropertyValue> hierarchy_values, property_values;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      tagged_values16(a, "HierarchyValueCount", "HierarchyValues", hierarchy_values);
      tagged_values16(a, "PropertyValueCount", "PropertyValues", property_values);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::SynchronizationImportHierarchyChange;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    uint64_t folder_id = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "InputHandleIndex", input_handle_index, return_value)) return;
      a.object_id("FolderId", folder_id);
    }
  };
};

// MS-OXCROPS 2.2.13.5. PropertyValues holds one PtypMultipleBinary value listing the source keys of
// the objects to delete (MS-OXCFXICS 2.2.3.2.4.5.1).
struct RopSynchronizationImportDeletes {
  static constexpr RopId kId = RopId::SynchronizationImportDeletes;
  struct Request {
    static constexpr RopId kId = RopId::SynchronizationImportDeletes;
    uint8_t logon_id = 0, input_handle_index = 0, import_delete_flags = 0;
    std::vector<TaggedPropertyValue> property_values;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("ImportDeleteFlags", import_delete_flags);
      tagged_values16(a, "PropertyValueCount", "PropertyValues", property_values);
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(SynchronizationImportDeletes, "InputHandleIndex");
};

// MS-OXCROPS 2.2.13.6. Every identifier is a byte array behind a 4-byte size (XIDs, a PCL and a
// change number as MS-OXCFXICS 2.2.2.2 and 2.2.2.3 define them). The success response's MessageId is
// always 0.
struct RopSynchronizationImportMessageMove {
  static constexpr RopId kId = RopId::SynchronizationImportMessageMove;
  struct Request {
    static constexpr RopId kId = RopId::SynchronizationImportMessageMove;
    uint8_t logon_id = 0, input_handle_index = 0;
    Bytes source_folder_id, source_message_id, predecessor_change_list, destination_message_id, change_number;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      bytes32(a, "SourceFolderIdSize", "SourceFolderId", source_folder_id);
      bytes32(a, "SourceMessageIdSize", "SourceMessageId", source_message_id);
      bytes32(a, "PredecessorChangeListSize", "PredecessorChangeList", predecessor_change_list);
      bytes32(a, "DestinationMessageIdSize", "DestinationMessageId", destination_message_id);
      bytes32(a, "ChangeNumberSize", "ChangeNumber", change_number);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::SynchronizationImportMessageMove;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    uint64_t message_id = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "InputHandleIndex", input_handle_index, return_value)) return;
      a.object_id("MessageId", message_id);
    }
  };
};

// MS-OXCROPS 2.2.13.7.
struct RopSynchronizationOpenCollector {
  static constexpr RopId kId = RopId::SynchronizationOpenCollector;
  struct Request {
    static constexpr RopId kId = RopId::SynchronizationOpenCollector;
    uint8_t logon_id = 0, input_handle_index = 0, output_handle_index = 0, is_contents_collector = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("OutputHandleIndex", output_handle_index);
      a.u8("IsContentsCollector", is_contents_collector);
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(SynchronizationOpenCollector, "OutputHandleIndex");
};

// MS-OXCROPS 2.2.13.8.
struct RopSynchronizationGetTransferState {
  static constexpr RopId kId = RopId::SynchronizationGetTransferState;
  struct Request {
    static constexpr RopId kId = RopId::SynchronizationGetTransferState;
    uint8_t logon_id = 0, input_handle_index = 0, output_handle_index = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("OutputHandleIndex", output_handle_index);
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(SynchronizationGetTransferState, "OutputHandleIndex");
};

// MS-OXCROPS 2.2.13.9. StateProperty is one of PidTagIdsetGiven, PidTagCnsetSeen, PidTagCnsetSeenFAI
// or PidTagCnsetRead; TransferBufferSize announces the whole state stream's size.
struct RopSynchronizationUploadStateStreamBegin {
  static constexpr RopId kId = RopId::SynchronizationUploadStateStreamBegin;
  struct Request {
    static constexpr RopId kId = RopId::SynchronizationUploadStateStreamBegin;
    uint8_t logon_id = 0, input_handle_index = 0;
    PropTag state_property = 0;
    uint32_t transfer_buffer_size = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.prop_tag("StateProperty", state_property);
      a.u32("TransferBufferSize", transfer_buffer_size);
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(SynchronizationUploadStateStreamBegin, "InputHandleIndex");
};

// MS-OXCROPS 2.2.13.10. StreamDataSize is 4 bytes wide as the section's field table gives it (one
// sentence of the same section says 2).
struct RopSynchronizationUploadStateStreamContinue {
  static constexpr RopId kId = RopId::SynchronizationUploadStateStreamContinue;
  struct Request {
    static constexpr RopId kId = RopId::SynchronizationUploadStateStreamContinue;
    uint8_t logon_id = 0, input_handle_index = 0;
    Bytes stream_data;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      bytes32(a, "StreamDataSize", "StreamData", stream_data);
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(SynchronizationUploadStateStreamContinue, "InputHandleIndex");
};

// MS-OXCROPS 2.2.13.11.
struct RopSynchronizationUploadStateStreamEnd {
  static constexpr RopId kId = RopId::SynchronizationUploadStateStreamEnd;
  EXMAPI_ROP_PLAIN_REQUEST(SynchronizationUploadStateStreamEnd);
  EXMAPI_ROP_PLAIN_RESPONSE(SynchronizationUploadStateStreamEnd, "InputHandleIndex");
};

// MS-OXCROPS 2.2.13.12. DataSize measures LongTermIdRangeCount and the ranges together; each
// LongTermIdRange (2.2.13.12.1.1) is two 24-byte LongTermIds.
struct LongTermIdRange {
  LongTermId min_long_term_id, max_long_term_id;
  friend bool operator==(const LongTermIdRange&, const LongTermIdRange&) = default;
  template <class A>
  void describe(A& a) {
    a.value("MinLongTermId", min_long_term_id, LongTermIdCodec{});
    a.value("MaxLongTermId", max_long_term_id, LongTermIdCodec{});
  }
};
struct RopSetLocalReplicaMidsetDeleted {
  static constexpr RopId kId = RopId::SetLocalReplicaMidsetDeleted;
  struct Request {
    static constexpr RopId kId = RopId::SetLocalReplicaMidsetDeleted;
    uint8_t logon_id = 0, input_handle_index = 0;
    std::vector<LongTermIdRange> long_term_id_ranges;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.sized16("DataSize", [&](auto& a) {
        size_t n = a.count32("LongTermIdRangeCount", long_term_id_ranges.size());
        a.list("LongTermIdRanges", long_term_id_ranges, n, 2 * LongTermId::kSize,
               [](auto& a, LongTermIdRange& r) { a.object("", r); });
      });
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(SetLocalReplicaMidsetDeleted, "InputHandleIndex");
};

// MS-OXCROPS 2.2.13.13. The reserved range starts at GlobalCount (a 6-byte GLOBCNT, big-endian as
// every GLOBCNT is) under ReplGuid.
struct RopGetLocalReplicaIds {
  static constexpr RopId kId = RopId::GetLocalReplicaIds;
  struct Request {
    static constexpr RopId kId = RopId::GetLocalReplicaIds;
    uint8_t logon_id = 0, input_handle_index = 0;
    uint32_t id_count = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u32("IdCount", id_count);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::GetLocalReplicaIds;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    Guid repl_guid;
    std::array<uint8_t, 6> global_count{};
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "InputHandleIndex", input_handle_index, return_value)) return;
      a.guid("ReplGuid", repl_guid);
      a.fixed_bytes("GlobalCount", global_count);
    }
  };
};

using SyncRops = RopList<RopSynchronizationConfigure, RopSynchronizationImportMessageChange,
                         RopSynchronizationImportReadStateChanges, RopSynchronizationImportHierarchyChange,
                         RopSynchronizationImportDeletes, RopSynchronizationImportMessageMove,
                         RopSynchronizationOpenCollector, RopSynchronizationGetTransferState,
                         RopSynchronizationUploadStateStreamBegin, RopSynchronizationUploadStateStreamContinue,
                         RopSynchronizationUploadStateStreamEnd, RopSetLocalReplicaMidsetDeleted,
                         RopGetLocalReplicaIds>;

}  // namespace exmapi::rop
