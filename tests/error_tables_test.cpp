// The generated error tables must match shared/protocol/errors*.tsv, row for row.
#include <exmapi/exmapi.h>

#include <fstream>
#include <sstream>

#include "test_support.hpp"

namespace exmapi {
namespace {

std::vector<std::vector<std::string>> read_tsv(const std::string& name) {
  std::ifstream f(test::shared_dir() / "protocol" / name);
  EXPECT_TRUE(f) << name;
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(f, line);  // header
  while (std::getline(f, line)) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, '\t')) cells.push_back(cell);
    if (cells.size() >= 2) rows.push_back(cells);
  }
  return rows;
}

TEST(ErrorTables, EveryTsvCodeHasItsSpecNameAndValue) {
  size_t checked = 0;
  for (const char* file : {"errors.tsv", "errors_isam.tsv"}) {
    for (auto& row : read_tsv(file)) {
      uint32_t value = static_cast<uint32_t>(std::stoul(row[1], nullptr, 16));
      const char* name = exmapi_status_name(value);
      ASSERT_NE(name, nullptr) << row[0] << " " << row[1];
      ++checked;
    }
  }
  EXPECT_GT(checked, 600u);
  EXPECT_EQ(EXMAPI_MAPI_NotFound, 0x8004010Fu);
  EXPECT_EQ(EXMAPI_MAPI_WrongServer, 0x00000478u);
  EXPECT_EQ(EXMAPI_MAPI_ServerBusy, 0x8004010Bu);
}

TEST(ErrorTables, GeneratedHeaderIsCurrent) {
  // Every main-table name appears in the header with its value: regenerate with scripts/gen_error_tables.py.
  std::ifstream h(std::string(EXMAPI_SOURCE_DIR) + "/include/exmapi/mapi_errors.h");
  std::stringstream ss;
  ss << h.rdbuf();
  std::string header = ss.str();
  for (auto& row : read_tsv("errors.tsv")) {
    std::string value = row[1].substr(2);
    EXPECT_NE(header.find("#define EXMAPI_MAPI_" + row[0]), std::string::npos) << row[0];
    EXPECT_NE(header.find(" 0x" + value + "u "), std::string::npos) << row[0] << " " << value;
  }
}

}  // namespace
}  // namespace exmapi
