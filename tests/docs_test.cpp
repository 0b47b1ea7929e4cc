// docs/rest-api.md's error table is the one users read: it must list exactly
// the codes of aigallery::error_catalogue, in its order, with the same HTTP
// statuses, and say for each what it means and what to do.
#include <aigallery/error.hpp>

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#ifndef AIGALLERY_SOURCE_DIR
#error "AIGALLERY_SOURCE_DIR must name the source tree"
#endif

namespace {

struct error_row {
    std::string code, status, meaning, todo;
};

std::string trim(std::string s) {
    auto b = s.find_first_not_of(" `");
    auto e = s.find_last_not_of(" `");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

/// The rows of the first table after the "## Errors" heading.
std::vector<error_row> error_table() {
    std::ifstream in(std::string(AIGALLERY_SOURCE_DIR) + "/docs/rest-api.md");
    BOOST_TEST_REQUIRE(in.is_open());
    std::vector<error_row> rows;
    bool in_section = false, in_table = false;
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("## "))
            in_section = line == "## Errors";
        if (!in_section)
            continue;
        if (!line.starts_with("|")) {
            if (in_table)
                break;
            continue;
        }
        in_table = true;
        std::vector<std::string> cells;
        std::stringstream ss(line.substr(1));
        for (std::string cell; std::getline(ss, cell, '|');)
            cells.push_back(trim(cell));
        if (cells.size() < 4 || cells[0] == "code" || cells[0].starts_with("---"))
            continue;
        rows.push_back({cells[0], cells[1], cells[2], cells[3]});
    }
    return rows;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(docs)

BOOST_AUTO_TEST_CASE(error_table_matches_the_catalogue) {
    auto rows = error_table();
    BOOST_TEST_REQUIRE(rows.size() == aigallery::error_catalogue.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        auto const& c = aigallery::error_catalogue[i];
        BOOST_TEST_CONTEXT("row " << i + 1 << ": " << rows[i].code) {
            BOOST_TEST(rows[i].code == std::string(c.code));
            BOOST_TEST(rows[i].status == std::to_string(c.status));
            BOOST_TEST(rows[i].meaning.size() > 5u);
            BOOST_TEST(rows[i].todo.size() > 5u);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
