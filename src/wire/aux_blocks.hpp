// Auxiliary blocks (MS-OXCRPC 2.2.2.2): the AUX_HEADER-prefixed blocks carried in the rgbAuxIn /
// rgbAuxOut payloads of EcDoConnectEx and EcDoRpcExt2 (and MAPI/HTTP AuxiliaryBuffer fields).
//
// Each block is AUX_HEADER { Size (2, includes the header), Version (1), Type (1) } and a body whose
// structure Version and Type select (tables in 2.2.2.2). Several types share one structure: the
// BG_ (background) and FG_ (foreground) variants of the PERF_*_SUCCESS and PERF_FAILURE types use
// the same body as the plain ones, so AuxBlock keeps Version and Type next to the typed body.
// A block whose (Version, Type) the spec does not define is kept as raw bytes, as 3.1.4.1.2 asks
// receivers to skip such blocks rather than fail.
//
// Strings and byte fields of variable length sit after the fixed fields and are found through
// offsets counted from the start of the AUX_HEADER. Decoding accepts them anywhere after the fixed
// fields within the block; encoding lays them out in field order, directly after the fixed fields,
// without padding. Blocks produced that way (the usual layout) re-encode byte for byte. An offset
// of zero means the field is absent (std::nullopt); a present empty string is an offset to a bare
// terminator.
//
// Every structure is described once by its fields(); the same description drives decode and encode.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/bytes.hpp"
#include "base/text.hpp"
#include "wire/extended_buffer.hpp"

namespace exmapi::wire {

inline constexpr uint8_t kAuxVersion1 = 0x01;
inline constexpr uint8_t kAuxVersion2 = 0x02;
inline constexpr size_t kAuxHeaderSize = 4;

// AUX_HEADER.Type values (2.2.2.2).
enum AuxType : uint8_t {
  kAuxTypePerfRequestId = 0x01,
  kAuxTypePerfClientInfo = 0x02,
  kAuxTypePerfServerInfo = 0x03,
  kAuxTypePerfSessionInfo = 0x04,
  kAuxTypePerfDefMdbSuccess = 0x05,
  kAuxTypePerfDefGcSuccess = 0x06,
  kAuxTypePerfMdbSuccess = 0x07,
  kAuxTypePerfGcSuccess = 0x08,
  kAuxTypePerfFailure = 0x09,
  kAuxTypeClientControl = 0x0A,
  kAuxTypePerfProcessInfo = 0x0B,
  kAuxTypePerfBgDefMdbSuccess = 0x0C,
  kAuxTypePerfBgDefGcSuccess = 0x0D,
  kAuxTypePerfBgMdbSuccess = 0x0E,
  kAuxTypePerfBgGcSuccess = 0x0F,
  kAuxTypePerfBgFailure = 0x10,
  kAuxTypePerfFgDefMdbSuccess = 0x11,
  kAuxTypePerfFgDefGcSuccess = 0x12,
  kAuxTypePerfFgMdbSuccess = 0x13,
  kAuxTypePerfFgGcSuccess = 0x14,
  kAuxTypePerfFgFailure = 0x15,
  kAuxTypeOsVersionInfo = 0x16,
  kAuxTypeExOrgInfo = 0x17,
  kAuxTypePerfAccountInfo = 0x18,
  kAuxTypeServerCapabilities = 0x46,
  kAuxTypeEndpointCapabilities = 0x48,
  kAuxTypeClientConnectionInfo = 0x4A,
  kAuxTypeServerSessionInfo = 0x4B,
  kAuxTypeProtocolDeviceIdentification = 0x4E,
};

// Flag values named by the spec.
inline constexpr uint16_t kAuxServerTypeUnknown = 0x00, kAuxServerTypePrivate = 0x01, kAuxServerTypePublic = 0x02,
                          kAuxServerTypeDirectory = 0x03, kAuxServerTypeReferral = 0x04;  // 2.2.2.2.5
inline constexpr uint16_t kAuxClientModeUnknown = 0x00, kAuxClientModeClassic = 0x01,
                          kAuxClientModeCached = 0x02;  // 2.2.2.2.4
inline constexpr uint32_t kAuxEnablePerfSendToServer = 0x01, kAuxEnablePerfSendToMailbox = 0x02,
                          kAuxEnableCompression = 0x04, kAuxEnableHttpTunneling = 0x08,
                          kAuxEnablePerfSendGcData = 0x10;  // 2.2.2.2.15
inline constexpr uint32_t kAuxPublicFoldersEnabled = 0x01,
                          kAuxUseAutodiscoverForPublicFolderConfiguration = 0x02;  // 2.2.2.2.17
inline constexpr uint32_t kAuxPackedFastTransferUploadBuffers = 0x01, kAuxPackedWriteStreamUploadBuffers = 0x02,
                          kAuxUltraLargePackedDownloadBuffers = 0x08;  // 2.2.2.2.19
inline constexpr uint32_t kAuxEndpointSingleEndpoint = 0x01;       // 2.2.2.2.20
inline constexpr uint32_t kAuxConnectionFlagCachedMode = 0x0001;  // 2.2.2.2.21

using AuxString = std::optional<std::string>;  // UTF-8; nullopt when the offset is zero
using AuxBinary = std::optional<Bytes>;        // nullopt when the offset is zero

// 2.2.2.2.1
struct AuxPerfRequestId {
  uint16_t session_id = 0;
  uint16_t request_id = 0;
  template <class S, class F>
  static void fields(S& s, F& f) {
    f.u16("SessionID", s.session_id);
    f.u16("RequestID", s.request_id);
  }
  friend bool operator==(const AuxPerfRequestId&, const AuxPerfRequestId&) = default;
};

// 2.2.2.2.2
struct AuxPerfSessionInfo {
  uint16_t session_id = 0;
  uint16_t reserved = 0;
  Guid session_guid;
  template <class S, class F>
  static void fields(S& s, F& f) {
    f.u16("SessionID", s.session_id);
    f.u16("Reserved", s.reserved);
    f.guid("SessionGuid", s.session_guid);
  }
  friend bool operator==(const AuxPerfSessionInfo&, const AuxPerfSessionInfo&) = default;
};

// 2.2.2.2.3
struct AuxPerfSessionInfoV2 {
  uint16_t session_id = 0;
  uint16_t reserved = 0;
  Guid session_guid;
  uint32_t connection_id = 0;
  template <class S, class F>
  static void fields(S& s, F& f) {
    f.u16("SessionID", s.session_id);
    f.u16("Reserved", s.reserved);
    f.guid("SessionGuid", s.session_guid);
    f.u32("ConnectionID", s.connection_id);
  }
  friend bool operator==(const AuxPerfSessionInfoV2&, const AuxPerfSessionInfoV2&) = default;
};

// 2.2.2.2.4
struct AuxPerfClientInfo {
  uint32_t adapter_speed = 0;  // kilobits per second
  uint16_t client_id = 0;
  AuxString machine_name;
  AuxString user_name;
  AuxBinary client_ip;
  AuxBinary client_ip_mask;
  AuxString adapter_name;
  AuxBinary mac_address;
  uint16_t client_mode = kAuxClientModeUnknown;
  uint16_t reserved = 0;
  template <class S, class F>
  static void fields(S& s, F& f) {
    f.u32("AdapterSpeed", s.adapter_speed);
    f.u16("ClientID", s.client_id);
    f.string_at("MachineNameOffset", "MachineName", s.machine_name);
    f.string_at("UserNameOffset", "UserName", s.user_name);
    f.binary_at("ClientIPSize", "ClientIPOffset", "ClientIP", s.client_ip);
    f.binary_at("ClientIPMaskSize", "ClientIPMaskOffset", "ClientIPMask", s.client_ip_mask);
    f.string_at("AdapterNameOffset", "AdapterName", s.adapter_name);
    f.binary_at("MacAddressSize", "MacAddressOffset", "MacAddress", s.mac_address);
    f.u16("ClientMode", s.client_mode);
    f.u16("Reserved", s.reserved);
  }
  friend bool operator==(const AuxPerfClientInfo&, const AuxPerfClientInfo&) = default;
};

// 2.2.2.2.5
struct AuxPerfServerInfo {
  uint16_t server_id = 0;
  uint16_t server_type = kAuxServerTypeUnknown;
  AuxString server_dn;
  AuxString server_name;
  template <class S, class F>
  static void fields(S& s, F& f) {
    f.u16("ServerID", s.server_id);
    f.u16("ServerType", s.server_type);
    f.string_at("ServerDNOffset", "ServerDN", s.server_dn);
    f.string_at("ServerNameOffset", "ServerName", s.server_name);
  }
  friend bool operator==(const AuxPerfServerInfo&, const AuxPerfServerInfo&) = default;
};

// 2.2.2.2.6 (under both AUX_VERSION_1 and AUX_VERSION_2)
struct AuxPerfProcessInfo {
  uint16_t process_id = 0;
  uint16_t reserved_1 = 0;
  Guid process_guid;
  AuxString process_name;
  uint16_t reserved_2 = 0;
  template <class S, class F>
  static void fields(S& s, F& f) {
    f.u16("ProcessID", s.process_id);
    f.u16("Reserved_1", s.reserved_1);
    f.guid("ProcessGuid", s.process_guid);
    f.string_at("ProcessNameOffset", "ProcessName", s.process_name);
    f.u16("Reserved_2", s.reserved_2);
  }
  friend bool operator==(const AuxPerfProcessInfo&, const AuxPerfProcessInfo&) = default;
};

// 2.2.2.2.7 (types 0x05, 0x0C, 0x11)
struct AuxPerfDefMdbSuccess {
  uint32_t time_since_request = 0;        // milliseconds
  uint32_t time_to_complete_request = 0;  // milliseconds
  uint16_t request_id = 0;
  uint16_t reserved = 0;
  template <class S, class F>
  static void fields(S& s, F& f) {
    f.u32("TimeSinceRequest", s.time_since_request);
    f.u32("TimeToCompleteRequest", s.time_to_complete_request);
    f.u16("RequestID", s.request_id);
    f.u16("Reserved", s.reserved);
  }
  friend bool operator==(const AuxPerfDefMdbSuccess&, const AuxPerfDefMdbSuccess&) = default;
};

// 2.2.2.2.8 (types 0x06, 0x0D, 0x12)
struct AuxPerfDefGcSuccess {
  uint16_t server_id = 0;
  uint16_t session_id = 0;
  uint32_t time_since_request = 0;
  uint32_t time_to_complete_request = 0;
  uint8_t request_operation = 0;
  std::array<uint8_t, 3> reserved{};
  template <class S, class F>
  static void fields(S& s, F& f) {
    f.u16("ServerID", s.server_id);
    f.u16("SessionID", s.session_id);
    f.u32("TimeSinceRequest", s.time_since_request);
    f.u32("TimeToCompleteRequest", s.time_to_complete_request);
    f.u8("RequestOperation", s.request_operation);
    f.bytes("Reserved", s.reserved);
  }
  friend bool operator==(const AuxPerfDefGcSuccess&, const AuxPerfDefGcSuccess&) = default;
};

// 2.2.2.2.9 (version 1, types 0x07, 0x0E, 0x13)
struct AuxPerfMdbSuccess {
  uint16_t client_id = 0;
  uint16_t server_id = 0;
  uint16_t session_id = 0;
  uint16_t request_id = 0;
  uint32_t time_since_request = 0;
  uint32_t time_to_complete_request = 0;
  template <class S, class F>
  static void fields(S& s, F& f) {
    f.u16("ClientID", s.client_id);
    f.u16("ServerID", s.server_id);
    f.u16("SessionID", s.session_id);
    f.u16("RequestID", s.request_id);
    f.u32("TimeSinceRequest", s.time_since_request);
    f.u32("TimeToCompleteRequest", s.time_to_complete_request);
  }
  friend bool operator==(const AuxPerfMdbSuccess&, const AuxPerfMdbSuccess&) = default;
};

// 2.2.2.2.10 (version 2, types 0x07, 0x0E, 0x13)
struct AuxPerfMdbSuccessV2 {
  uint16_t process_id = 0;
  uint16_t client_id = 0;
  uint16_t server_id = 0;
  uint16_t session_id = 0;
  uint16_t request_id = 0;
  uint16_t reserved = 0;
  uint32_t time_since_request = 0;
  uint32_t time_to_complete_request = 0;
  template <class S, class F>
  static void fields(S& s, F& f) {
    f.u16("ProcessID", s.process_id);
    f.u16("ClientID", s.client_id);
    f.u16("ServerID", s.server_id);
    f.u16("SessionID", s.session_id);
    f.u16("RequestID", s.request_id);
    f.u16("Reserved", s.reserved);
    f.u32("TimeSinceRequest", s.time_since_request);
    f.u32("TimeToCompleteRequest", s.time_to_complete_request);
  }
  friend bool operator==(const AuxPerfMdbSuccessV2&, const AuxPerfMdbSuccessV2&) = default;
};

// 2.2.2.2.11 (version 1, types 0x08, 0x0F, 0x14)
struct AuxPerfGcSuccess {
  uint16_t client_id = 0;
  uint16_t server_id = 0;
  uint16_t session_id = 0;
  uint16_t reserved_1 = 0;
  uint32_t time_since_request = 0;
  uint32_t time_to_complete_request = 0;
  uint8_t request_operation = 0;
  std::array<uint8_t, 3> reserved_2{};
  template <class S, class F>
  static void fields(S& s, F& f) {
    f.u16("ClientID", s.client_id);
    f.u16("ServerID", s.server_id);
    f.u16("SessionID", s.session_id);
    f.u16("Reserved_1", s.reserved_1);
    f.u32("TimeSinceRequest", s.time_since_request);
    f.u32("TimeToCompleteRequest", s.time_to_complete_request);
    f.u8("RequestOperation", s.request_operation);
    f.bytes("Reserved_2", s.reserved_2);
  }
  friend bool operator==(const AuxPerfGcSuccess&, const AuxPerfGcSuccess&) = default;
};

// 2.2.2.2.12 (version 2, types 0x08, 0x0F, 0x14)
struct AuxPerfGcSuccessV2 {
  uint16_t process_id = 0;
  uint16_t client_id = 0;
  uint16_t server_id = 0;
  uint16_t session_id = 0;
  uint32_t time_since_request = 0;
  uint32_t time_to_complete_request = 0;
  uint8_t request_operation = 0;
  std::array<uint8_t, 3> reserved{};
  template <class S, class F>
  static void fields(S& s, F& f) {
    f.u16("ProcessID", s.process_id);
    f.u16("ClientID", s.client_id);
    f.u16("ServerID", s.server_id);
    f.u16("SessionID", s.session_id);
    f.u32("TimeSinceRequest", s.time_since_request);
    f.u32("TimeToCompleteRequest", s.time_to_complete_request);
    f.u8("RequestOperation", s.request_operation);
    f.bytes("Reserved", s.reserved);
  }
  friend bool operator==(const AuxPerfGcSuccessV2&, const AuxPerfGcSuccessV2&) = default;
};

// 2.2.2.2.13 (version 1, types 0x09, 0x10, 0x15)
struct AuxPerfFailure {
  uint16_t client_id = 0;
  uint16_t server_id = 0;
  uint16_t session_id = 0;
  uint16_t request_id = 0;
  uint32_t time_since_request = 0;
  uint32_t time_to_fail_request = 0;
  uint32_t result_code = 0;
  uint8_t request_operation = 0;
  std::array<uint8_t, 3> reserved{};
  template <class S, class F>
  static void fields(S& s, F& f) {
    f.u16("ClientID", s.client_id);
    f.u16("ServerID", s.server_id);
    f.u16("SessionID", s.session_id);
    f.u16("RequestID", s.request_id);
    f.u32("TimeSinceRequest", s.time_since_request);
    f.u32("TimeToFailRequest", s.time_to_fail_request);
    f.u32("ResultCode", s.result_code);
    f.u8("RequestOperation", s.request_operation);
    f.bytes("Reserved", s.reserved);
  }
  friend bool operator==(const AuxPerfFailure&, const AuxPerfFailure&) = default;
};

// 2.2.2.2.14 (version 2, types 0x09, 0x10, 0x15)
struct AuxPerfFailureV2 {
  uint16_t process_id = 0;
  uint16_t client_id = 0;
  uint16_t server_id = 0;
  uint16_t session_id = 0;
  uint16_t request_id = 0;
  uint16_t reserved_1 = 0;
  uint32_t time_since_request = 0;
  uint32_t time_to_fail_request = 0;
  uint32_t result_code = 0;
  uint8_t request_operation = 0;
  std::array<uint8_t, 3> reserved_2{};
  template <class S, class F>
  static void fields(S& s, F& f) {
    f.u16("ProcessID", s.process_id);
    f.u16("ClientID", s.client_id);
    f.u16("ServerID", s.server_id);
    f.u16("SessionID", s.session_id);
    f.u16("RequestID", s.request_id);
    f.u16("Reserved_1", s.reserved_1);
    f.u32("TimeSinceRequest", s.time_since_request);
    f.u32("TimeToFailRequest", s.time_to_fail_request);
    f.u32("ResultCode", s.result_code);
    f.u8("RequestOperation", s.request_operation);
    f.bytes("Reserved_2", s.reserved_2);
  }
  friend bool operator==(const AuxPerfFailureV2&, const AuxPerfFailureV2&) = default;
};

// 2.2.2.2.15
struct AuxClientControl {
  uint32_t enable_flags = 0;
  uint32_t expiry_time = 0;  // milliseconds
  template <class S, class F>
  static void fields(S& s, F& f) {
    f.u32("EnableFlags", s.enable_flags);
    f.u32("ExpiryTime", s.expiry_time);
  }
  friend bool operator==(const AuxClientControl&, const AuxClientControl&) = default;
};

// 2.2.2.2.16. The reserved fields "MUST be ignored when received"; they are kept so that a block
// re-encodes as received.
struct AuxOsVersionInfo {
  uint32_t os_version_info_size = 0;
  uint32_t major_version = 0;
  uint32_t minor_version = 0;
  uint32_t build_number = 0;
  std::array<uint8_t, 132> reserved_1{};
  uint16_t service_pack_major = 0;
  uint16_t service_pack_minor = 0;
  uint32_t reserved_2 = 0;
  template <class S, class F>
  static void fields(S& s, F& f) {
    f.u32("OSVersionInfoSize", s.os_version_info_size);
    f.u32("MajorVersion", s.major_version);
    f.u32("MinorVersion", s.minor_version);
    f.u32("BuildNumber", s.build_number);
    f.bytes("Reserved1", s.reserved_1);
    f.u16("ServicePackMajor", s.service_pack_major);
    f.u16("ServicePackMinor", s.service_pack_minor);
    f.u32("Reserved2", s.reserved_2);
  }
  friend bool operator==(const AuxOsVersionInfo&, const AuxOsVersionInfo&) = default;
};

// 2.2.2.2.17
struct AuxExOrgInfo {
  uint32_t org_flags = 0;
  template <class S, class F>
  static void fields(S& s, F& f) {
    f.u32("OrgFlags", s.org_flags);
  }
  friend bool operator==(const AuxExOrgInfo&, const AuxExOrgInfo&) = default;
};

// 2.2.2.2.18
struct AuxPerfAccountInfo {
  uint16_t client_id = 0;
  uint16_t reserved = 0;
  Guid account;
  template <class S, class F>
  static void fields(S& s, F& f) {
    f.u16("ClientID", s.client_id);
    f.u16("Reserved", s.reserved);
    f.guid("Account", s.account);
  }
  friend bool operator==(const AuxPerfAccountInfo&, const AuxPerfAccountInfo&) = default;
};

// 2.2.2.2.19
struct AuxServerCapabilities {
  uint32_t server_capability_flags = 0;
  template <class S, class F>
  static void fields(S& s, F& f) {
    f.u32("ServerCapabilityFlags", s.server_capability_flags);
  }
  friend bool operator==(const AuxServerCapabilities&, const AuxServerCapabilities&) = default;
};

// 2.2.2.2.20
struct AuxEndpointCapabilities {
  uint32_t endpoint_capability_flag = 0;
  template <class S, class F>
  static void fields(S& s, F& f) {
    f.u32("EndpointCapabilityFlag", s.endpoint_capability_flag);
  }
  friend bool operator==(const AuxEndpointCapabilities&, const AuxEndpointCapabilities&) = default;
};

// 2.2.2.2.21. ConnectionAttempts is read as 4 bytes: the field stands on its own 32-bit row of the
// structure diagram, after Reserved pads OffsetConnectionContextInfo to 4 bytes.
struct AuxClientConnectionInfo {
  Guid connection_guid;
  AuxString connection_context_info;
  uint16_t reserved = 0;
  uint32_t connection_attempts = 0;
  uint32_t connection_flags = 0;
  template <class S, class F>
  static void fields(S& s, F& f) {
    f.guid("ConnectionGUID", s.connection_guid);
    f.string_at("OffsetConnectionContextInfo", "ConnectionContextInfo", s.connection_context_info);
    f.u16("Reserved", s.reserved);
    f.u32("ConnectionAttempts", s.connection_attempts);
    f.u32("ConnectionFlags", s.connection_flags);
  }
  friend bool operator==(const AuxClientConnectionInfo&, const AuxClientConnectionInfo&) = default;
};

// 2.2.2.2.22
struct AuxServerSessionInfo {
  AuxString server_session_context_info;
  template <class S, class F>
  static void fields(S& s, F& f) {
    f.string_at("OffsetServerSessionContextInfo", "ServerSessionContextInfo", s.server_session_context_info);
  }
  friend bool operator==(const AuxServerSessionInfo&, const AuxServerSessionInfo&) = default;
};

// 2.2.2.2.23
struct AuxProtocolDeviceIdentification {
  AuxString device_manufacturer;
  AuxString device_model;
  AuxString device_serial_number;
  AuxString device_version;
  AuxString device_firmware_version;
  template <class S, class F>
  static void fields(S& s, F& f) {
    f.string_at("DeviceManufacturerOffset", "DeviceManufacturer", s.device_manufacturer);
    f.string_at("DeviceModelOffset", "DeviceModel", s.device_model);
    f.string_at("DeviceSerialNumberOffset", "DeviceSerialNumber", s.device_serial_number);
    f.string_at("DeviceVersionOffset", "DeviceVersion", s.device_version);
    f.string_at("DeviceFirmwareVersionOffset", "DeviceFirmwareVersion", s.device_firmware_version);
  }
  friend bool operator==(const AuxProtocolDeviceIdentification&, const AuxProtocolDeviceIdentification&) = default;
};

// The body of a block whose (Version, Type) the spec does not define: everything after AUX_HEADER.
struct AuxUnknown {
  Bytes data;
  friend bool operator==(const AuxUnknown&, const AuxUnknown&) = default;
};

using AuxBody =
    std::variant<AuxPerfRequestId, AuxPerfClientInfo, AuxPerfServerInfo, AuxPerfSessionInfo, AuxPerfSessionInfoV2,
                 AuxPerfDefMdbSuccess, AuxPerfDefGcSuccess, AuxPerfMdbSuccess, AuxPerfMdbSuccessV2, AuxPerfGcSuccess,
                 AuxPerfGcSuccessV2, AuxPerfFailure, AuxPerfFailureV2, AuxClientControl, AuxPerfProcessInfo,
                 AuxOsVersionInfo, AuxExOrgInfo, AuxPerfAccountInfo, AuxServerCapabilities, AuxEndpointCapabilities,
                 AuxClientConnectionInfo, AuxServerSessionInfo, AuxProtocolDeviceIdentification, AuxUnknown>;

struct AuxBlock {
  uint8_t version = kAuxVersion1;
  uint8_t type = 0;
  AuxBody body;
  friend bool operator==(const AuxBlock&, const AuxBlock&) = default;
};

// A block of the given type whose version follows from the body (the _V2 structures are
// AUX_VERSION_2, the rest AUX_VERSION_1). Throws EncodeError when the spec pairs the type with
// another structure.
AuxBlock make_aux_block(uint8_t type, AuxBody body);

// Spec name of the structure Version and Type select ("AUX_PERF_CLIENTINFO", ...), or nullptr.
const char* aux_block_name(uint8_t version, uint8_t type) noexcept;

// Decodes the blocks of an auxiliary payload (after the RPC_HEADER_EXT framing is removed).
// Throws DecodeError with the offset in `payload` and a path such as "AuxBlock[2].MachineName".
std::vector<AuxBlock> decode_aux_blocks(ByteView payload);
// Encodes blocks back to back. Throws EncodeError when a body does not fit its (Version, Type) or a
// block outgrows AUX_HEADER.Size.
Bytes encode_aux_blocks(std::span<const AuxBlock> blocks);
void encode_aux_blocks(ByteWriter& out, std::span<const AuxBlock> blocks);

// An rgbAuxIn / rgbAuxOut buffer: one RPC_HEADER_EXT flagged Last (3.1.4.1.1.1.1/.2) around the
// blocks, at most kMaxAuxBuffer bytes in all. An empty buffer (cbAuxIn 0) holds no blocks.
// DecodeError offsets inside the blocks count from the start of the restored payload.
std::vector<AuxBlock> decode_aux_buffer(ByteView buffer);
// The payload of an auxiliary buffer with its framing checked as above, its blocks not decoded.
Bytes unpack_aux_payload(ByteView buffer);
Bytes encode_aux_buffer(std::span<const AuxBlock> blocks, const PackOptions& options = {});

}  // namespace exmapi::wire
