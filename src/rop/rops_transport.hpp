// Transport ROPs (MS-OXCROPS 2.2.7; semantics in MS-OXOMSG 2.2.4 and 2.2.5) and RopWritePerUserInformation (2.2.3.13).
#pragma once

#include "rop/rop_codec.hpp"
#include "rop/rops_logon.hpp"

namespace exmapi::rop {

// MS-OXCROPS 2.2.7.1. SubmitFlags: MS-OXOMSG 2.2.4.1.1.
struct RopSubmitMessage {
  static constexpr RopId kId = RopId::SubmitMessage;
  struct Request {
    static constexpr RopId kId = RopId::SubmitMessage;
    uint8_t logon_id = 0, input_handle_index = 0, submit_flags = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("SubmitFlags", submit_flags);
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(SubmitMessage, "InputHandleIndex");
};

// MS-OXCROPS 2.2.7.2.
struct RopAbortSubmit {
  static constexpr RopId kId = RopId::AbortSubmit;
  struct Request {
    static constexpr RopId kId = RopId::AbortSubmit;
    uint8_t logon_id = 0, input_handle_index = 0;
    uint64_t folder_id = 0, message_id = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.object_id("FolderId", folder_id);
      a.object_id("MessageId", message_id);
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(AbortSubmit, "InputHandleIndex");
};

// MS-OXCROPS 2.2.7.3. AddressTypeSize is the byte size of the AddressTypeCount strings after it, so
// the strings are read inside that region and must fill it exactly.
struct RopGetAddressTypes {
  static constexpr RopId kId = RopId::GetAddressTypes;
  EXMAPI_ROP_PLAIN_REQUEST(GetAddressTypes);
  struct Response {
    static constexpr RopId kId = RopId::GetAddressTypes;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    std::vector<std::string> address_types;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "InputHandleIndex", input_handle_index, return_value)) return;
      size_t n = a.count16("AddressTypeCount", address_types.size());
      a.sized16("AddressTypeSize", [&](auto& a) {
        a.list("AddressTypes", address_types, n, 1, [](auto& a, std::string& s) { a.str8z("", s); });
      });
    }
  };
};

// MS-OXCROPS 2.2.7.4.
struct RopSetSpooler {
  static constexpr RopId kId = RopId::SetSpooler;
  EXMAPI_ROP_PLAIN_REQUEST(SetSpooler);
  EXMAPI_ROP_PLAIN_RESPONSE(SetSpooler, "InputHandleIndex");
};

// MS-OXCROPS 2.2.7.5. LockState: lstLock 0x00, lstUnlock 0x01, lstFinished 0x02 (MS-OXOMSG 2.2.5.3.1).
struct RopSpoolerLockMessage {
  static constexpr RopId kId = RopId::SpoolerLockMessage;
  struct Request {
    static constexpr RopId kId = RopId::SpoolerLockMessage;
    uint8_t logon_id = 0, input_handle_index = 0;
    uint64_t message_id = 0;
    uint8_t lock_state = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.object_id("MessageId", message_id);
      a.u8("LockState", lock_state);
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(SpoolerLockMessage, "InputHandleIndex");
};

// MS-OXCROPS 2.2.7.6. PropertyValueCount and PropertyValues are optional: they follow only when
// NoPropertiesReturned is zero.
struct RopTransportSend {
  static constexpr RopId kId = RopId::TransportSend;
  EXMAPI_ROP_PLAIN_REQUEST(TransportSend);
  struct Response {
    static constexpr RopId kId = RopId::TransportSend;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    uint8_t no_properties_returned = 0;
    std::vector<TaggedPropertyValue> property_values;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "InputHandleIndex", input_handle_index, return_value)) return;
      a.u8("NoPropertiesReturned", no_properties_returned);
      if (no_properties_returned) return;
      size_t n = a.count16("PropertyValueCount", property_values.size());
      a.list("PropertyValues", property_values, n, TaggedValueCodec::kMinSize,
             [](auto& a, TaggedPropertyValue& v) { a.value("", v, TaggedValueCodec{}); });
    }
  };
};

// MS-OXCROPS 2.2.7.7. MessageFlags: MS-OXOMSG 2.2.5.5.1.
struct RopTransportNewMail {
  static constexpr RopId kId = RopId::TransportNewMail;
  struct Request {
    static constexpr RopId kId = RopId::TransportNewMail;
    uint8_t logon_id = 0, input_handle_index = 0;
    uint64_t message_id = 0, folder_id = 0;
    std::string message_class;
    uint32_t message_flags = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.object_id("MessageId", message_id);
      a.object_id("FolderId", folder_id);
      a.str8z("MessageClass", message_class);
      a.u32("MessageFlags", message_flags);
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(TransportNewMail, "InputHandleIndex");
};

// MS-OXCROPS 2.2.7.8.
struct RopGetTransportFolder {
  static constexpr RopId kId = RopId::GetTransportFolder;
  EXMAPI_ROP_PLAIN_REQUEST(GetTransportFolder);
  struct Response {
    static constexpr RopId kId = RopId::GetTransportFolder;
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

// MS-OXCROPS 2.2.7.9. HelpFile and HelpFileName are present only when HelpFileSize is nonzero.
struct RopOptionsData {
  static constexpr RopId kId = RopId::OptionsData;
  struct Request {
    static constexpr RopId kId = RopId::OptionsData;
    uint8_t logon_id = 0, input_handle_index = 0;
    std::string address_type;
    uint8_t want_win32 = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.str8z("AddressType", address_type);
      a.u8("WantWin32", want_win32);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::OptionsData;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    uint8_t reserved = 1;  // MUST be 0x01; kept as sent
    Bytes options_info, help_file;
    std::string help_file_name;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "InputHandleIndex", input_handle_index, return_value)) return;
      a.u8("Reserved", reserved);
      bytes16(a, "OptionsInfoSize", "OptionsInfo", options_info);
      bytes16(a, "HelpFileSize", "HelpFile", help_file);
      if (!help_file.empty()) a.str8z("HelpFileName", help_file_name);
    }
  };
};

// MS-OXCROPS 2.2.3.13 (semantics MS-OXCSTOR 2.2.1.13). ReplGuid is present only when DataOffset is
// 0 and the logon named by LogonId was opened with the Private flag in its RopLogon request: the
// request bytes do not say which, so the decoder takes that logon's LogonFlags from the context.
struct RopWritePerUserInformation {
  static constexpr RopId kId = RopId::WritePerUserInformation;
  struct Request {
    static constexpr RopId kId = RopId::WritePerUserInformation;
    uint8_t logon_id = 0, input_handle_index = 0;
    LongTermId folder_id;
    uint8_t has_finished = 0;
    uint32_t data_offset = 0;
    Bytes data;
    uint8_t logon_flags = 0;  // not on the wire: the LogonFlags of the logon LogonId names
    Guid repl_guid;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.value("FolderId", folder_id, LongTermIdCodec{});
      a.u8("HasFinished", has_finished);
      a.u32("DataOffset", data_offset);
      bytes16(a, "DataSize", "Data", data);
      if (data_offset != 0) return;
      a.from_context("ReplGuid", logon_flags, &ResponseContext::logon_flags,
                     "the LogonFlags of the RopLogon that opened this LogonId");
      if (logon_flags & logon_flags::Private) a.guid("ReplGuid", repl_guid);
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(WritePerUserInformation, "InputHandleIndex");
};

using TransportRops = RopList<RopSubmitMessage, RopAbortSubmit, RopGetAddressTypes, RopSetSpooler, RopSpoolerLockMessage,
                              RopTransportSend, RopTransportNewMail, RopGetTransportFolder, RopOptionsData,
                              RopWritePerUserInformation>;

}  // namespace exmapi::rop
