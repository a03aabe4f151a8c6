// Property, type, property-set and named-property names. The generated tables must match
// shared/protocol/{props_core,proptypes,named_props}.tsv row for row (regenerate with
// scripts/gen_property_names.py).
#include "rop/property_names.hpp"

#include <exmapi/exmapi.h>

#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "rop/property_tag.hpp"
#include "test_support.hpp"

namespace exmapi::rop {
namespace {

// Rows of a .tsv as header name -> cell.
std::vector<std::map<std::string, std::string>> read_tsv(const std::string& name) {
  std::ifstream f(test::shared_dir() / "protocol" / name);
  EXPECT_TRUE(f) << name;
  std::vector<std::map<std::string, std::string>> rows;
  std::string line;
  std::vector<std::string> header;
  auto split = [](const std::string& l) {
    std::vector<std::string> cells;
    std::string cell;
    std::stringstream ss(l);
    while (std::getline(ss, cell, '\t')) cells.push_back(cell);
    return cells;
  };
  std::getline(f, line);
  header = split(line);
  while (std::getline(f, line)) {
    auto cells = split(line);
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size(); ++i) row[header[i]] = i < cells.size() ? cells[i] : "";
    rows.push_back(row);
  }
  return rows;
}

std::optional<uint32_t> hex_cell(const std::string& s) {
  if (s.size() < 3 || s.rfind("0x", 0) != 0 || s.find_first_not_of("0123456789ABCDEFabcdef", 2) != std::string::npos)
    return std::nullopt;
  return static_cast<uint32_t>(std::stoul(s, nullptr, 16));
}

TEST(PropertyNames, WellKnownTags) {
  const std::pair<uint32_t, const char*> known[] = {
      {0x0037001F, "PidTagSubject"},           {0x001A001F, "PidTagMessageClass"},
      {0x0FFF0102, "PidTagEntryId"},           {0x3001001F, "PidTagDisplayName"},
      {0x1000001F, "PidTagBody"},              {0x0E060040, "PidTagMessageDeliveryTime"},
      {0x0E070003, "PidTagMessageFlags"},      {0x0E080003, "PidTagMessageSize"},
      {0x0E080014, "PidTagMessageSizeExtended"}, {0x0E1B000B, "PidTagHasAttachments"},
      {0x00170003, "PidTagImportance"},        {0x65E00102, "PidTagSourceKey"},
      {0x67A40014, "PidTagChangeNumber"},      {0x674A0014, "PidTagMid"},
      {0x40170003, "MetaTagIdsetGiven"},       {0x3701000D, "PidTagAttachDataObject"},
  };
  for (auto [tag, name] : known) {
    EXPECT_STREQ(property_tag_name(tag), name);
    EXPECT_EQ(format_property_tag(tag), name);
    EXPECT_EQ(property_tag_from_name(name), tag) << name;
    EXPECT_STREQ(exmapi_property_tag_name(tag), name);
    uint32_t out = 0;
    EXPECT_EQ(exmapi_property_tag_from_name(&out, name), EXMAPI_OK);
    EXPECT_EQ(out, tag);
  }
}

TEST(PropertyNames, OtherTypesAndUnknownTags) {
  EXPECT_EQ(property_tag_name(0x0037001E), nullptr);
  EXPECT_EQ(format_property_tag(0x0037001E), "PidTagSubject (PtypString8)");
  EXPECT_EQ(format_property_tag(0x00370000), "PidTagSubject (PtypUnspecified)");
  EXPECT_EQ(format_property_tag(0x0037ABCD), "PidTagSubject (0xABCD)");
  EXPECT_EQ(format_property_tag(0x12340003), "0x12340003");
  EXPECT_EQ(format_property_tag(0x8008301F), "0x8008301F");  // a named-property ID: no fixed name
  EXPECT_EQ(format_property_tag(0x8006001E), "PidTagAddressBookHomeMessageDatabase");  // exact AB tag
  EXPECT_EQ(format_property_tag(0x8006001F), "0x8006001F");
  EXPECT_EQ(property_tag_from_name("PidTagSubject (PtypString8)"), 0x0037001Eu);
  EXPECT_EQ(property_tag_from_name("PidTagSubject (0xABCD)"), 0x0037ABCDu);
  EXPECT_EQ(property_tag_from_name("0x12340003"), 0x12340003u);
  EXPECT_EQ(property_tag_from_name("PidTagNoSuchThing"), std::nullopt);
  EXPECT_EQ(property_tag_from_name("PidTagSubject (PtypNoSuchType)"), std::nullopt);
  EXPECT_EQ(property_tag_from_name("0x123456789"), std::nullopt);
  EXPECT_EQ(property_tag_from_name(""), std::nullopt);
  // One ID with two table rows keeps both names.
  EXPECT_STREQ(property_id_name(0x0E08), "PidTagMessageSize");
  EXPECT_EQ(format_property_tag(0x0E08001F), "PidTagMessageSize (PtypString)");
  EXPECT_EQ(property_tag_from_name("PidTagMessageSize (PtypString)"), 0x0E08001Fu);

  uint32_t out = 7;
  EXPECT_EQ(exmapi_property_tag_from_name(&out, "nonsense"), EXMAPI_E_INVALID_ARGUMENT);
  EXPECT_EQ(out, 7u);
  EXPECT_NE(std::string(exmapi_error_last()->message).find("nonsense"), std::string::npos);
  EXPECT_EQ(exmapi_property_tag_from_name(nullptr, "PidTagSubject"), EXMAPI_E_INVALID_ARGUMENT);
  EXPECT_EQ(exmapi_property_tag_from_name(&out, nullptr), EXMAPI_E_INVALID_ARGUMENT);
  EXPECT_EQ(exmapi_property_tag_name(0x12340003), nullptr);

  char buf[64];
  EXPECT_EQ(exmapi_property_tag_format(buf, sizeof buf, 0x0037001E), 27u);
  EXPECT_STREQ(buf, "PidTagSubject (PtypString8)");
  EXPECT_EQ(exmapi_property_tag_format(buf, 8, 0x0037001E), 27u);  // cut, still terminated
  EXPECT_STREQ(buf, "PidTagS");
  EXPECT_EQ(exmapi_property_tag_format(nullptr, 0, 0x12340003), 10u);
  EXPECT_EQ(exmapi_property_tag_format(buf, sizeof buf, 0x12340003), 10u);
  EXPECT_STREQ(buf, "0x12340003");
}

TEST(PropertyNames, Types) {
  EXPECT_STREQ(property_type_name(0x001F), "PtypString");
  EXPECT_STREQ(property_type_name(0x001E), "PtypString8");
  EXPECT_STREQ(property_type_name(0x101F), "PtypMultipleString");
  EXPECT_STREQ(property_type_name(0x000D), "PtypObject");  // shares 0x000D with PtypEmbeddedTable
  EXPECT_EQ(property_type_name(0x301F), nullptr);
  EXPECT_EQ(format_property_type(0x301F), "PtypMultipleString|MultivalueInstance");
  EXPECT_EQ(format_property_type(0x0099), "0x0099");
  EXPECT_EQ(property_type_from_name("PtypEmbeddedTable"), 0x000D);
  EXPECT_EQ(property_type_from_name("PtypMultipleString|MultivalueInstance"), 0x301F);
  EXPECT_EQ(property_type_from_name("PtypString|MultivalueInstance"), std::nullopt);
  EXPECT_STREQ(exmapi_property_type_name(0x0102), "PtypBinary");
  EXPECT_EQ(exmapi_property_type_name(0x0099), nullptr);
  // The MVI column of the MS-OXCTABL 4.3.1 example, with a fixed-ID property for contrast.
  EXPECT_EQ(format_property_tag(proptag::make_tag(0x3A70, 0x3102)),
            "PidTagUserX509Certificate (PtypMultipleBinary|MultivalueInstance)");
}

TEST(PropertyNames, PropertySetsAndNamedProperties) {
  Guid appointment = *Guid::parse("{00062002-0000-0000-C000-000000000046}");
  EXPECT_STREQ(property_set_name(appointment), "PSETID_Appointment");
  EXPECT_EQ(property_set_from_name("PSETID_Appointment"), appointment);
  EXPECT_EQ(format_property_set(*Guid::parse("{00020329-0000-0000-C000-000000000046}")), "PS_PUBLIC_STRINGS");
  Guid unknown = *Guid::parse("{01234567-89AB-CDEF-0123-456789ABCDEF}");
  EXPECT_EQ(property_set_name(unknown), nullptr);
  EXPECT_EQ(format_property_set(unknown), "{01234567-89AB-CDEF-0123-456789ABCDEF}");

  EXPECT_STREQ(named_property_name(appointment, 0x820D), "PidLidAppointmentStartWhole");
  EXPECT_EQ(named_property_name(appointment, 0x820C), nullptr);
  EXPECT_EQ(named_property_name(unknown, 0x820D), nullptr);
  auto start = named_property_from_name("PidLidAppointmentStartWhole");
  ASSERT_TRUE(start);
  EXPECT_EQ(start->property_set, appointment);
  EXPECT_TRUE(start->has_lid);
  EXPECT_EQ(start->lid, 0x820Du);
  EXPECT_EQ(start->type, 0x0040);

  Guid public_strings = *property_set_from_name("PS_PUBLIC_STRINGS");
  EXPECT_STREQ(named_property_name(public_strings, std::string_view("Keywords")), "PidNameKeywords");
  EXPECT_EQ(named_property_name(public_strings, std::string_view("keywords")), nullptr);
  auto keywords = named_property_from_name("PidNameKeywords");
  ASSERT_TRUE(keywords);
  EXPECT_FALSE(keywords->has_lid);
  EXPECT_STREQ(keywords->string_name, "Keywords");
  EXPECT_EQ(keywords->type, 0x101F);
  // PidLidCategories has two conflicting LIDs in the table and is deliberately left out.
  EXPECT_EQ(named_property_from_name("PidLidCategories"), std::nullopt);
}

TEST(PropertyNames, GeneratedTablesMatchTheTsvFiles) {
  auto sizes = property_name_table_sizes();

  size_t tags = 0;
  for (auto& row : read_tsv("props_core.tsv")) {
    auto tag = hex_cell(row["tag_hex"]);
    ASSERT_TRUE(tag) << row["canonical_name"];
    EXPECT_STREQ(property_tag_name(*tag), row["canonical_name"].c_str());
    EXPECT_EQ(property_tag_from_name(row["canonical_name"]), *tag);
    EXPECT_EQ(*tag, proptag::make_tag(*hex_cell(row["property_id"]), *hex_cell(row["type_hex"])));
    ++tags;
  }
  EXPECT_EQ(sizes.tags, tags);
  EXPECT_GT(tags, 200u);

  size_t types = 0;
  for (auto& row : read_tsv("proptypes.tsv")) {
    if (row["name"].rfind("Ptyp", 0) != 0) continue;  // the two flag rows
    auto value = hex_cell(row["hex"]);
    ASSERT_TRUE(value);
    EXPECT_EQ(property_type_from_name(row["name"]), *value) << row["name"];
    EXPECT_NE(property_type_name(static_cast<uint16_t>(*value)), nullptr);
    ++types;
  }
  EXPECT_EQ(sizes.types, types);

  size_t sets = 0, lids = 0, strings = 0, left_out = 0;
  for (auto& row : read_tsv("named_props.tsv")) {
    Guid set = *Guid::parse(row["set_guid"]);
    if (row["kind"] == "property_set") {
      EXPECT_STREQ(property_set_name(set), row["name"].c_str());
      ++sets;
    } else if (row["kind"] == "named_lid") {
      auto lid = hex_cell(row["lid_hex"]);
      if (!lid) {  // a cell with competing candidates
        EXPECT_EQ(named_property_from_name(row["name"]), std::nullopt) << row["name"];
        ++left_out;
        continue;
      }
      EXPECT_STREQ(named_property_name(set, *lid), row["name"].c_str());
      auto info = named_property_from_name(row["name"]);
      ASSERT_TRUE(info) << row["name"];
      EXPECT_EQ(info->lid, *lid);
      EXPECT_EQ(info->type, *hex_cell(row["type_hex"]));
      EXPECT_EQ(info->property_set, set);
      ++lids;
    } else {
      ASSERT_EQ(row["kind"], "named_string");
      EXPECT_STREQ(named_property_name(set, std::string_view(row["string_name"])), row["name"].c_str());
      ++strings;
    }
  }
  EXPECT_EQ(sizes.property_sets, sets);
  EXPECT_EQ(sizes.named_lids, lids);
  EXPECT_EQ(sizes.named_strings, strings);
  EXPECT_EQ(left_out, 1u);
  EXPECT_GT(lids, 100u);
}

TEST(PropertyNames, PrintingAndReadingBackIsTheIdentity) {
  std::vector<uint32_t> tags;
  std::mt19937 rng(12345);
  for (int i = 0; i < 20000; ++i) tags.push_back(static_cast<uint32_t>(rng()));
  for (const char* type_source : {"0x0000", "0x001E", "0x101F", "0x301F", "0x3102", "0xFFFF"}) {
    uint16_t type = *property_type_from_name(type_source);
    for (uint16_t id : {0x0037, 0x0E08, 0x0FFF, 0x3701, 0x4017, 0x8006, 0x1234})
      tags.push_back(proptag::make_tag(id, type));
  }
  for (uint32_t tag : tags) {
    std::string text = format_property_tag(tag);
    EXPECT_EQ(property_tag_from_name(text), tag) << text;
  }
}

}  // namespace
}  // namespace exmapi::rop
