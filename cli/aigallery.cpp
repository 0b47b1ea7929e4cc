// aigallery: the library's calls as a command line, for people and CI
// pipelines. Human output by default, one JSON document with --json; exit 0
// on success, 1 on a gallery or network error, 2 on a usage error (nothing
// was sent to the gallery then).
#include "workflow_file.hpp"

#include <aigallery/beast_transport.hpp>
#include <aigallery/client.hpp>

#include <boost/json.hpp>
#include <boost/system/system_error.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace json = boost::json;

constexpr int exit_ok = 0;
constexpr int exit_failed = 1;
constexpr int exit_usage = 2;

constexpr std::string_view main_usage =
    R"(usage: aigallery [--endpoint URL] [--token T | --ak AK] [--ca-file FILE] [--json] [--progress] COMMAND ...

Publishes workflows to an AI Gallery and shows what is there.

commands:
  release WORKFLOW.json   publish a workflow and the algorithms it runs
  whitelist add|remove    share a group version with users, or take them off
  list                    list assets: mine, shared with me, or public
  show CONTENT_ID [VER]   one asset and its versions, or one version
  help [COMMAND]          this text, or a command's

options (anywhere on the line):
  --endpoint URL   the gallery, http[s]://host[:port][/prefix]
                   (default: $AIGALLERY_ENDPOINT)
  --token T        authenticate with this X-Auth-Token (default: $AIGALLERY_TOKEN)
  --ak AK          sign every request with this access key (default:
                   $HUAWEICLOUD_SDK_AK); the secret key is read from
                   $HUAWEICLOUD_SDK_SK only, never from the command line,
                   where other users and the shell history would see it
  --project-id ID  sent as X-Project-Id with signed requests (default:
                   $HUAWEICLOUD_SDK_PROJECT_ID)
  --ca-file FILE   for https: also trust the CAs in this PEM file (a private
                   CA); the system's CA store is always trusted, the
                   certificate must name the endpoint's host, and a failed
                   check is an error, never a fallback (default:
                   $AIGALLERY_CA_FILE)
  --json           print one JSON document instead of text (errors too)
  --progress       print each write of a release or whitelist change as it
                   happens, even when standard error is not a terminal (on a
                   terminal it is on)
  --version        print the version
  --help           this text; `aigallery COMMAND --help` for a command

credentials: a token (--token, $AIGALLERY_TOKEN) or an access key / secret
key pair, under the names the vendor's SDKs use: $HUAWEICLOUD_SDK_AK (or
--ak), $HUAWEICLOUD_SDK_SK, and for temporary credentials
$HUAWEICLOUD_SDK_SECURITY_TOKEN. A flag chooses; without one, the
environment must hold one kind only. Secrets are never printed, not even
with --json or in an error.

exit status: 0 done, 1 the gallery or the network failed (code and message
printed; a TLS or signing failure says why), 2 the command line, the
credentials or the workflow file is wrong (nothing sent).
)";

constexpr std::string_view release_usage = R"(usage: aigallery release WORKFLOW.json [options]

Publishes the workflow in WORKFLOW.json: first every local algorithm it runs
(and new versions of your own gallery algorithms), then the workflow, all or
nothing. Without --content-id it is a new asset at 1.0.0; with it, a new
version of that asset (patch bump unless told otherwise).

  --content-id ID            publish a new version of this workflow asset
  --version X.Y.Z            the workflow version's number (not with --bump)
  --bump patch|minor|major   how the number increases (default patch)
  --title T                  the asset's title (new asset: the workflow's name)
  --desc D                   the version's description (default: the workflow's)
  --visibility V             private, group or public (new asset: private;
                             new version: as the highest existing version)
  --users ID,ID              the domain_ids a group version is shared with
  --dry-run                  print the plan and write nothing

WORKFLOW.json:
  {"name": "flowers", "desc": "...",
   "steps": [{"name": "train", "algorithm": {"id": "algo-7f3a", "name": "trainer"}},
             {"name": "prepare", "algorithm": {"content_id": "A...", "version_num": "1.2.0"}}]}
A local algorithm ("id", "name", optional "desc" and "definition") becomes an
algorithm asset of yours; a gallery one ("content_id", "version_num") is used.
)";

constexpr std::string_view whitelist_usage =
    R"(usage: aigallery whitelist add|remove CONTENT_ID VERSION USER_ID...

Adds users to (or removes them from) the whitelist of a group version, and
the same on the group algorithm versions of yours that it runs, in the order
that never lets anyone see a workflow without its algorithms. A removal keeps
a user on an algorithm version that another workflow still needs, and says so.
USER_ID is a domain_id (32 lowercase hex characters); commas also separate.
)";

constexpr std::string_view list_usage =
    R"(usage: aigallery list [--scope mine|shared|public] [--type workflow|algorithm]

Lists assets, every page: your own (mine, the default: "My Assets > My
Publishes"), other accounts' group versions shared with you (shared), or
public ones (public). LATEST and VISIBILITY are those of the highest version
in that scope.
)";

constexpr std::string_view show_usage = R"(usage: aigallery show CONTENT_ID [VERSION]

Without VERSION: the asset and every version of it you can see. With it:
that version's visibility, whitelist (yours only), dependencies and source.
)";

struct usage_error {
    std::string message;
    std::string_view command;  // whose --help to point at
};

/// An option table entry: its name and whether it takes a value.
struct option_spec {
    std::string_view name;
    bool takes_value;
};

/// What the command line says, globals pulled out wherever they stood.
struct arguments {
    std::optional<std::string> endpoint, token, access_key, project_id, ca_file;
    bool json = false, progress = false, help = false, version = false;
    std::string command;
    std::vector<std::string> positional;
    std::map<std::string, std::string, std::less<>> options;
};

arguments parse(int argc, char** argv) {
    arguments a;
    std::vector<std::string> rest;
    std::vector<std::string_view> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view name = args[i];
        std::optional<std::string> inline_value;
        if (auto eq = name.find('='); name.starts_with("--") && eq != std::string_view::npos) {
            inline_value = std::string(name.substr(eq + 1));
            name = name.substr(0, eq);
        }
        auto value = [&]() -> std::string {
            if (inline_value)
                return *inline_value;
            if (i + 1 >= args.size())
                throw usage_error{std::string(name) + ": missing value", a.command};
            return std::string(args[++i]);
        };
        if (name == "--endpoint")
            a.endpoint = value();
        else if (name == "--token")
            a.token = value();
        else if (name == "--ak")
            a.access_key = value();
        else if (name == "--project-id")
            a.project_id = value();
        else if (name == "--ca-file")
            a.ca_file = value();
        else if (name == "--sk" || name == "--secret-key")
            throw usage_error{std::string(name) +
                                  ": the secret key is read from HUAWEICLOUD_SDK_SK only (a "
                                  "command line is visible to other users and kept in shell "
                                  "history)",
                              ""};
        else if (name == "--json")
            a.json = true;
        else if (name == "--progress")
            a.progress = true;
        else if (name == "--help" || name == "-h")
            a.help = true;
        else if (name == "--version" && a.command.empty())
            a.version = true;
        else if (a.command.empty() && !name.starts_with("-"))
            a.command = std::string(name);
        else {
            if (inline_value)
                rest.push_back(std::string(name) + "=" + *inline_value);
            else
                rest.emplace_back(name);
        }
    }
    a.positional = std::move(rest);
    return a;
}

/// Splits the command's own arguments into options (checked against `specs`)
/// and positional arguments.
void take_options(arguments& a, std::initializer_list<option_spec> specs) {
    std::vector<std::string> positional;
    for (std::size_t i = 0; i < a.positional.size(); ++i) {
        std::string arg = a.positional[i];
        if (!arg.starts_with("--") || arg == "--") {
            positional.push_back(arg);
            continue;
        }
        std::optional<std::string> inline_value;
        if (auto eq = arg.find('='); eq != std::string::npos) {
            inline_value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
        }
        auto spec = std::find_if(specs.begin(), specs.end(),
                                 [&](option_spec const& s) { return s.name == arg; });
        if (spec == specs.end())
            throw usage_error{"unknown option '" + arg + "'", a.command};
        if (a.options.contains(arg))
            throw usage_error{arg + ": given twice", a.command};
        if (!spec->takes_value) {
            if (inline_value)
                throw usage_error{arg + ": takes no value", a.command};
            a.options[arg] = "";
        } else if (inline_value) {
            a.options[arg] = *inline_value;
        } else if (i + 1 < a.positional.size()) {
            a.options[arg] = a.positional[++i];
        } else {
            throw usage_error{arg + ": missing value", a.command};
        }
    }
    a.positional = std::move(positional);
}

std::optional<std::string> option(arguments const& a, std::string_view name) {
    auto it = a.options.find(name);
    return it == a.options.end() ? std::nullopt : std::optional(it->second);
}

std::vector<std::string> split_users(std::vector<std::string> const& parts,
                                     std::string_view command) {
    std::vector<std::string> users;
    for (auto const& p : parts) {
        std::stringstream ss(p);
        for (std::string u; std::getline(ss, u, ',');) {
            if (u.empty())
                continue;
            if (!aigallery::is_valid_domain_id(u))
                throw usage_error{"user '" + aigallery::printable(u) +
                                      "' is not a domain_id (32 lowercase hex characters)",
                                  command};
            users.push_back(u);
        }
    }
    return users;
}

aigallery::version_number version_arg(std::string const& text, std::string_view what,
                                      std::string_view command) {
    auto v = aigallery::version_number::parse(text);
    if (!v)
        throw usage_error{
            std::string(what) + ": '" + aigallery::printable(text) + "' is not a version x.y.z",
            command};
    return *v;
}

// ---- progress ------------------------------------------------------------------

/// Prints the writes of a release or whitelist change to standard error as
/// they happen (and retries, undos, what was left), from the client's
/// progress reports. Reads are not shown: they are the plan's, before any write.
aigallery::progress_observer progress_printer() {
    auto open = std::make_shared<bool>(false);  // a "write ..." line awaits its outcome
    return [open](aigallery::progress_event const& e) {
        using kind = aigallery::progress_event::kind;
        auto line = [&](std::string const& text) {
            if (*open)
                std::cerr << "\n";
            *open = false;
            std::cerr << "  " << text << "\n";
        };
        switch (e.what) {
            case kind::write:
                if (*open)
                    std::cerr << "\n";
                std::cerr << "  " << e.text << " ... " << std::flush;
                *open = true;
                break;
            case kind::written:
                if (*open)
                    std::cerr << "done" << (e.content_id.empty() ? "" : " (" + e.content_id + ")")
                              << "\n";
                else
                    line(e.text);
                *open = false;
                break;
            case kind::retry:
            case kind::resolving:
            case kind::resolved:
                line(e.text);
                break;
            case kind::undo:
            case kind::left:
                if (*open)
                    std::cerr << "failed\n";
                *open = false;
                line((e.what == kind::undo ? "undo: " : "") + e.text);
                break;
            case kind::done:
                if (*open)
                    std::cerr << "failed\n";
                *open = false;
                break;
            default:
                break;
        }
    };
}

using client_t = aigallery::basic_client<aigallery::beast_transport>;

// ---- output ------------------------------------------------------------------

json::value to_json(aigallery::planned_version const& p) {
    json::object o{{"workflow", p.workflow},
                   {"new_asset", p.new_asset},
                   {"content_id", p.content_id},
                   {"title", p.title},
                   {"version_num", p.version_num.to_string()},
                   {"visibility", std::string(to_string(p.visibility))},
                   {"group_users", json::value_from(p.group_users)}};
    if (!p.local_id.empty())
        o["local_algorithm_id"] = p.local_id;
    return o;
}

json::value to_json(aigallery::release_plan const& p) {
    json::array algorithms, widened, deps;
    for (auto const& a : p.algorithms)
        algorithms.push_back(to_json(a));
    for (auto const& w : p.widened)
        widened.push_back(json::object{{"content_id", w.content_id},
                                       {"version_num", w.version_num.to_string()},
                                       {"added", json::value_from(w.added)}});
    for (auto const& d : p.dependencies) {
        json::object o{{"content_id", d.content_id}, {"version_num", d.version_num.to_string()}};
        o["published_by_this_release"] = d.published.has_value();
        deps.push_back(std::move(o));
    }
    return json::object{{"workflow", to_json(p.workflow)},
                        {"algorithms", std::move(algorithms)},
                        {"widened", std::move(widened)},
                        {"dependencies", std::move(deps)}};
}

std::string join(std::vector<std::string> const& v, std::string_view sep = ", ") {
    std::string s;
    for (auto const& x : v)
        s += (s.empty() ? "" : std::string(sep)) + x;
    return s;
}

/// Prints rows as aligned columns, the first row being the header.
void print_table(std::vector<std::vector<std::string>> const& rows) {
    std::vector<std::size_t> width;
    for (auto const& r : rows)
        for (std::size_t i = 0; i < r.size(); ++i) {
            width.resize(std::max(width.size(), r.size()));
            width[i] = std::max(width[i], aigallery::code_points(r[i]));
        }
    for (auto const& r : rows) {
        std::string line;
        for (std::size_t i = 0; i < r.size(); ++i) {
            line += r[i];
            if (i + 1 < r.size())
                line += std::string(width[i] - aigallery::code_points(r[i]) + 2, ' ');
        }
        std::cout << line << "\n";
    }
}

// ---- commands ------------------------------------------------------------------

int release(arguments& a, client_t& client) {
    take_options(a, {{"--content-id", true},
                     {"--version", true},
                     {"--bump", true},
                     {"--title", true},
                     {"--desc", true},
                     {"--visibility", true},
                     {"--users", true},
                     {"--dry-run", false}});
    if (a.positional.size() != 1)
        throw usage_error{"release takes one WORKFLOW.json", "release"};
    aigallery::release_options o;
    if (auto v = option(a, "--content-id"))
        o.content_id = *v;
    if (auto v = option(a, "--version"))
        o.version = version_arg(*v, "--version", "release");
    if (auto v = option(a, "--bump")) {
        o.bump = aigallery::parse_bump(*v);
        if (!o.bump)
            throw usage_error{"--bump: '" + *v + "' is not patch, minor or major", "release"};
        if (o.version)
            throw usage_error{"--bump and --version: give one of them", "release"};
        if (o.content_id.empty())
            throw usage_error{"--bump needs --content-id (a new asset starts at 1.0.0)", "release"};
    }
    if (auto v = option(a, "--title"))
        o.title = *v;
    if (auto v = option(a, "--desc"))
        o.desc = *v;
    if (auto v = option(a, "--visibility")) {
        o.visibility = aigallery::parse_visibility(*v);
        if (!o.visibility)
            throw usage_error{"--visibility: '" + *v + "' is not private, group or public",
                              "release"};
    }
    if (auto v = option(a, "--users")) {
        o.group_users = split_users({*v}, "release");
        if (o.visibility != aigallery::visibility::group)
            throw usage_error{"--users goes with --visibility group", "release"};
    }
    if (o.visibility == aigallery::visibility::group && o.group_users.empty())
        throw usage_error{"--visibility group needs --users ID,ID", "release"};

    auto wf = aigallery::cli::read_workflow_file(a.positional[0]);
    if (wf.steps.empty())
        std::cerr << "aigallery: warning: workflow '" << wf.name << "' in " << a.positional[0]
                  << " has no steps; releasing it anyway\n";

    if (option(a, "--dry-run")) {
        auto plan = client.plan_release(wf, o);
        if (a.json)
            std::cout << json::serialize(json::object{{"dry_run", true}, {"plan", to_json(plan)}})
                      << "\n";
        else
            std::cout << "plan for " << a.positional[0] << " (dry run: nothing written)\n" << plan;
        return exit_ok;
    }

    auto r = client.release_to_gallery(wf, o);
    if (a.json) {
        json::array algos;
        for (auto const& p : r.algorithms)
            algos.push_back(json::object{{"content_id", p.content_id},
                                         {"version_id", p.version_id},
                                         {"version_num", p.version_num.to_string()}});
        std::cout << json::serialize(json::object{{"content_id", r.content_id},
                                                  {"version_id", r.version_id},
                                                  {"version_num", r.version_num.to_string()},
                                                  {"algorithms", std::move(algos)}})
                  << "\n";
    } else {
        std::cout << "released workflow " << r.content_id << " " << r.version_num << "\n";
        for (auto const& p : r.algorithms)
            std::cout << "  with algorithm " << p.content_id << " " << p.version_num << "\n";
    }
    return exit_ok;
}

int whitelist(arguments& a, client_t& client) {
    take_options(a, {});
    if (a.positional.size() < 4 || (a.positional[0] != "add" && a.positional[0] != "remove"))
        throw usage_error{"whitelist add|remove CONTENT_ID VERSION USER_ID...", "whitelist"};
    bool add = a.positional[0] == "add";
    auto const& id = a.positional[1];
    auto v = version_arg(a.positional[2], "VERSION", "whitelist");
    auto users = split_users({a.positional.begin() + 3, a.positional.end()}, "whitelist");
    if (users.empty())
        throw usage_error{"no USER_ID given", "whitelist"};

    auto r = add ? client.add_whitelist_users(id, v, users)
                 : client.delete_whitelist_users(id, v, users);
    if (a.json) {
        json::array changed, kept;
        for (auto const& c : r.changed)
            changed.push_back(json::value_from(c));
        for (auto const& k : r.kept)
            kept.push_back(json::object{{"content_id", k.content_id},
                                        {"version_num", k.version_num.to_string()},
                                        {"user", k.user},
                                        {"reason", k.reason}});
        std::cout << json::serialize(json::object{{"content_id", r.content_id},
                                                  {"version_num", r.version_num.to_string()},
                                                  {"group_users", json::value_from(r.group_users)},
                                                  {"changed", std::move(changed)},
                                                  {"kept", std::move(kept)}})
                  << "\n";
        return exit_ok;
    }
    std::cout << (add ? "added to " : "removed from ") << r.content_id << " " << r.version_num
              << "; its whitelist is now: "
              << (r.group_users.empty() ? "(empty)" : join(r.group_users)) << "\n";
    for (auto const& c : r.changed)
        if (c.content_id != r.content_id || c.version_num != r.version_num.to_string())
            std::cout << "  also " << c.content_id << " " << c.version_num << ": "
                      << (c.group_users.empty() ? "(empty)" : join(c.group_users)) << "\n";
    for (auto const& k : r.kept)
        std::cout << "  kept " << k.user << " on " << k.content_id << " " << k.version_num << ": "
                  << k.reason << "\n";
    return exit_ok;
}

int list(arguments& a, client_t& client) {
    take_options(a, {{"--scope", true}, {"--type", true}});
    if (!a.positional.empty())
        throw usage_error{"unexpected argument '" + a.positional[0] + "'", "list"};
    aigallery::list_options o;
    o.scope = option(a, "--scope").value_or("mine");
    if (o.scope != "mine" && o.scope != "shared" && o.scope != "public")
        throw usage_error{"--scope: '" + o.scope + "' is not mine, shared or public", "list"};
    if (auto t = option(a, "--type")) {
        if (*t != "workflow" && *t != "algorithm")
            throw usage_error{"--type: '" + *t + "' is not workflow or algorithm", "list"};
        o.content_type = *t;
    }
    o.limit = 100;
    std::vector<aigallery::wire::content_list_item> items;
    std::uint64_t total = 0;
    do {  // every page; the order is stable, so none repeats or goes missing
        auto page = client.list_contents(o);
        total = page.total;
        items.insert(items.end(), page.items.begin(), page.items.end());
        o.offset += page.count;
        if (page.count == 0)
            break;
    } while (o.offset < total);

    if (a.json) {
        std::cout << json::serialize(json::object{
                         {"scope", o.scope}, {"total", total}, {"items", json::value_from(items)}})
                  << "\n";
        return exit_ok;
    }
    if (items.empty()) {
        std::cout << "no assets (" << o.scope << ")\n";
        return exit_ok;
    }
    std::vector<std::vector<std::string>> rows{
        {"CONTENT_ID", "TYPE", "TITLE", "LATEST", "VISIBILITY", "OWNER", "UPDATED"}};
    for (auto const& i : items)
        rows.push_back({i.content_id, i.content_type, i.title, i.latest_version, i.visibility,
                        i.owner, i.updated_at});
    print_table(rows);
    return exit_ok;
}

int show(arguments& a, client_t& client) {
    take_options(a, {});
    if (a.positional.empty() || a.positional.size() > 2)
        throw usage_error{"show CONTENT_ID [VERSION]", "show"};
    auto const& id = a.positional[0];
    if (a.positional.size() == 2) {
        auto v = client.get_version(id, version_arg(a.positional[1], "VERSION", "show"));
        if (a.json) {
            std::cout << json::serialize(json::value_from(v)) << "\n";
            return exit_ok;
        }
        std::cout << v.content_id << " " << v.version_num << "\n"
                  << "  visibility:   " << v.visibility << "\n";
        if (v.group_users)
            std::cout << "  whitelist:    "
                      << (v.group_users->empty() ? "(empty)" : join(*v.group_users)) << "\n";
        std::cout << "  created:      " << v.created_at << "\n"
                  << "  description:  " << v.desc << "\n";
        for (auto const& d : v.dependencies)
            std::cout << "  depends on:   " << d.content_id << " " << d.version_num << "\n";
        if (!v.source.empty())
            std::cout << "  source:       " << json::serialize(v.source) << "\n";
        return exit_ok;
    }
    auto info = client.get_content(id);
    auto const& c = info.content;
    if (a.json) {
        auto doc = json::value_from(c);
        if (info.highest_ever)
            doc.as_object()["highest_ever"] = info.highest_ever->to_string();
        std::cout << json::serialize(doc) << "\n";
        return exit_ok;
    }
    std::cout << c.content_type << " '" << c.title << "' " << c.content_id << "\n"
              << "  owner:   " << c.owner << "\n"
              << "  latest:  " << c.latest_version << "\n";
    if (info.highest_ever)
        std::cout << "  highest ever published: " << *info.highest_ever << "\n";
    std::cout << "  created: " << c.created_at << ", updated " << c.updated_at << "\n\n";
    std::vector<std::vector<std::string>> rows{{"VERSION", "VISIBILITY", "CREATED", "DESCRIPTION"}};
    for (auto const& v : c.versions)
        rows.push_back({v.version_num, v.visibility, v.created_at, v.desc});
    print_table(rows);
    return exit_ok;
}

std::string_view usage_of(std::string_view command) {
    if (command == "release")
        return release_usage;
    if (command == "whitelist")
        return whitelist_usage;
    if (command == "list")
        return list_usage;
    if (command == "show")
        return show_usage;
    return main_usage;
}

std::string from_env(char const* name) {
    char const* v = std::getenv(name);
    return v ? v : "";
}

/// A token, or an access key / secret key pair.
struct chosen_credentials {
    std::string token;
    std::optional<aigallery::aksk_credentials> keys;
};

/// A flag chooses the kind; without one the environment must hold one kind
/// only, so that a stray variable never decides whose name a write is made in.
chosen_credentials choose_credentials(arguments const& a) {
    if (a.token && a.access_key)
        throw usage_error{"--token and --ak: give one kind of credentials", ""};
    std::string const env_token = from_env("AIGALLERY_TOKEN");
    bool const env_keys =
        !from_env("HUAWEICLOUD_SDK_AK").empty() || !from_env("HUAWEICLOUD_SDK_SK").empty();
    chosen_credentials c;
    bool use_keys = a.access_key.has_value();
    if (a.token) {
        c.token = *a.token;
    } else if (!use_keys) {
        if (env_keys && !env_token.empty())
            throw usage_error{
                "both AIGALLERY_TOKEN and HUAWEICLOUD_SDK_AK/SK are set: choose "
                "with --token T or --ak AK",
                ""};
        use_keys = env_keys;
        c.token = env_token;
    }
    if (use_keys) {
        aigallery::aksk_credentials k{
            a.access_key.value_or(from_env("HUAWEICLOUD_SDK_AK")), from_env("HUAWEICLOUD_SDK_SK"),
            from_env("HUAWEICLOUD_SDK_SECURITY_TOKEN"),
            a.project_id.value_or(from_env("HUAWEICLOUD_SDK_PROJECT_ID"))};
        if (k.access_key.empty())
            throw usage_error{"no access key: give --ak AK or set HUAWEICLOUD_SDK_AK", ""};
        if (k.secret_key.empty())
            throw usage_error{
                "no secret key: set HUAWEICLOUD_SDK_SK (it is read from the "
                "environment only)",
                ""};
        c.keys = std::move(k);
        return c;
    }
    if (a.project_id)
        throw usage_error{"--project-id goes with AK/SK credentials (--ak or HUAWEICLOUD_SDK_AK)",
                          ""};
    if (c.token.empty())
        throw usage_error{
            "no credentials: give --token T or set AIGALLERY_TOKEN, or set "
            "HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK",
            ""};
    return c;
}

void print_error(bool as_json, std::string_view code, int status, std::string const& message,
                 std::string const& request_id) {
    if (as_json) {
        json::object e{{"error_code", code}, {"error_msg", message}};
        if (status)
            e["status"] = status;
        if (!request_id.empty())
            e["request_id"] = request_id;
        std::cout << json::serialize(json::object{{"error", std::move(e)}}) << "\n";
    }
    bool const kind_only = code == "network" || code == "security";
    std::cerr << "aigallery: " << (kind_only ? std::string(code) + " error" : "error");
    if (!code.empty() && !kind_only)
        std::cerr << " " << code;
    if (status)
        std::cerr << " (HTTP " << status << ")";
    std::cerr << ": " << message;
    if (!request_id.empty())
        std::cerr << " [request id " << request_id << "]";
    std::cerr << "\n";
}

}  // namespace

int main(int argc, char** argv) {
    arguments a;
    try {
        a = parse(argc, argv);
        if (a.version) {
            std::cout << "aigallery " << AIGALLERY_VERSION << "\n";
            return exit_ok;
        }
        if (a.command == "help") {
            std::cout << usage_of(a.positional.empty() ? "" : a.positional[0]);
            return exit_ok;
        }
        if (a.help || a.command.empty()) {
            std::cout << usage_of(a.command);
            return a.help ? exit_ok : exit_usage;
        }
        static std::map<std::string, int (*)(arguments&, client_t&), std::less<>> const commands{
            {"release", release}, {"whitelist", whitelist}, {"list", list}, {"show", show}};
        auto cmd = commands.find(a.command);
        if (cmd == commands.end())
            throw usage_error{"unknown command '" + aigallery::printable(a.command) + "'", ""};

        std::string endpoint = a.endpoint.value_or(from_env("AIGALLERY_ENDPOINT"));
        if (endpoint.empty())
            throw usage_error{"no gallery: give --endpoint URL or set AIGALLERY_ENDPOINT", ""};
        auto creds = choose_credentials(a);
        aigallery::beast_transport_options transport_options;
        transport_options.tls.ca_file = a.ca_file.value_or(from_env("AIGALLERY_CA_FILE"));
        std::optional<aigallery::beast_transport> transport;
        try {
            transport.emplace(endpoint, transport_options);
        } catch (std::invalid_argument const& e) {
            throw usage_error{std::string("--endpoint: ") + e.what(), ""};
        } catch (boost::system::system_error const&) {
            throw usage_error{std::string(a.ca_file ? "--ca-file" : "AIGALLERY_CA_FILE") +
                                  ": cannot load '" + transport_options.tls.ca_file +
                                  "' as PEM CA certificates",
                              ""};
        }
        if (a.ca_file && !transport->uses_tls())
            throw usage_error{"--ca-file is for an https endpoint; '" + endpoint + "' is http", ""};
        bool progress = a.progress || ((a.command == "release" || a.command == "whitelist") &&
                                       isatty(STDERR_FILENO));
        aigallery::client_options options;
        if (progress)
            options.observer = progress_printer();
        auto client =
            creds.keys ? client_t{std::move(*transport), std::move(*creds.keys), std::move(options)}
                       : client_t{std::move(*transport), creds.token, std::move(options)};
        return cmd->second(a, client);
    } catch (usage_error const& e) {
        std::cerr << "aigallery: " << e.message << "\n(see aigallery "
                  << (e.command.empty() ? "" : std::string(e.command) + " ") << "--help)\n";
        return exit_usage;
    } catch (aigallery::cli::workflow_file_error const& e) {
        std::cerr << "aigallery: " << e.what() << "\n";
        return exit_usage;
    } catch (aigallery::gallery_error const& e) {
        // note(): what the library adds, such as what an undone release left behind
        print_error(a.json, e.error_code(), e.status(),
                    e.note().empty() ? e.error_msg() : e.error_msg() + " " + e.note(),
                    e.request_id());
        return exit_failed;
    } catch (aigallery::transport_error const& e) {
        // a sentence, with the note; TLS and signing failures say why
        bool const security = e.code().category() == aigallery::security_category();
        print_error(a.json, security ? "security" : "network", 0, e.what(), "");
        return exit_failed;
    } catch (boost::system::system_error const& e) {
        // what() ends with the source location of the failed call: not for people.
        std::string what = e.what();
        if (auto at = what.rfind(" ["); at != std::string::npos && what.ends_with("]"))
            what.erase(at);
        if (what.starts_with(": "))
            what.erase(0, 2);
        print_error(a.json, "network", 0, what, "");
        return exit_failed;
    } catch (std::exception const& e) {
        print_error(a.json, "internal", 0, e.what(), "");
        return exit_failed;
    }
}
