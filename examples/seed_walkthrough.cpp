// The seed's scenario end to end: start a mock AI Gallery in-process, publish
// a workflow with release_to_gallery, publish new versions, share it with a
// group, then add and delete whitelist users, printing what the gallery holds
// after each step.
#include <aigallery/aigallery.hpp>
#include <aigallery/mock/server.hpp>

#include <iostream>
#include <map>

namespace {

std::map<std::string, std::string> names;  // domain_id -> account name, for printing

std::string who(std::vector<std::string> const& ids) {
    std::string s;
    for (auto const& id : ids)
        s += (s.empty() ? "" : ", ") + (names.count(id) ? names[id] : id);
    return "[" + s + "]";
}

void show(aigallery::client& c, std::string const& step) {
    std::cout << "\n== " << step << "\n";
    auto mine =
        c.list_contents({.scope = "mine", .limit = 100, .sort_key = "title", .sort_dir = "asc"});
    for (auto const& item : mine.items) {
        auto info = c.get_content(item.content_id);
        std::cout << "  " << item.content_type << " '" << item.title << "' ("
                  << item.content_id.substr(0, 8) << ")\n";
        for (auto it = info.content.versions.rbegin(); it != info.content.versions.rend(); ++it) {
            auto v = c.get_version(item.content_id, it->version_num);
            std::cout << "    " << v.version_num << "  " << v.visibility;
            if (v.visibility == "group")
                std::cout << " " << who(v.group_users.value_or(std::vector<std::string>{}));
            for (auto const& d : v.dependencies)
                std::cout << "  runs " << d.content_id.substr(0, 8) << "@" << d.version_num;
            std::cout << "\n";
        }
    }
}

}  // namespace

int main() {
    aigallery::mock::server gallery;  // 127.0.0.1, a free port, running
    auto alice = gallery.add_account("alice");
    auto bob = gallery.add_account("bob");
    auto carol = gallery.add_account("carol");
    for (auto const* a : {&alice, &bob, &carol})
        names[a->domain_id] = a->name;
    std::cout << "mock AI Gallery at " << gallery.url() << "; alice, bob and carol have accounts\n";

    aigallery::client client{aigallery::beast_transport{gallery.url()}, alice.token};

    // 1. workflow.release_to_gallery(title="Flower classifier"): a new asset at
    //    1.0.0; its algorithm, not from the gallery, is published at 1.0.0 too.
    aigallery::workflow wf{.name = "flowers", .desc = "classifies flowers"};
    wf.steps.push_back(
        {.name = "train",
         .algorithm = aigallery::local_algorithm{.id = "algo-7f3a", .name = "trainer"}});
    auto first = client.release_to_gallery(wf, {.title = "Flower classifier"});
    std::cout << "\nreleased workflow " << first.version_num << " with algorithm "
              << first.algorithms.at(0).version_num << "\n";
    show(client, "after release_to_gallery(title=\"Flower classifier\")");

    // 2. release_to_gallery(content_id=...): the version increases
    //    automatically, and the gallery algorithm it runs gets a higher version.
    auto trainer = first.algorithms.at(0);
    wf.steps[0].algorithm = aigallery::gallery_algorithm{trainer.content_id, trainer.version_num};
    auto second =
        client.release_to_gallery(wf, {.content_id = first.content_id, .desc = "retrained"});
    std::cout << "\nreleased workflow " << second.version_num << "; algorithm bumped to "
              << second.algorithms.at(0).version_num << "\n";
    show(client, "after release_to_gallery(content_id=...)");

    // A dry run shows what a release would do, writing nothing.
    wf.steps[0].algorithm =
        aigallery::gallery_algorithm{trainer.content_id, second.algorithms.at(0).version_num};
    aigallery::release_options shared{.content_id = first.content_id,
                                      .visibility = aigallery::visibility::group,
                                      .group_users = {bob.domain_id}};
    std::cout << "\ndry run of a group release:\n" << client.plan_release(wf, shared);

    // 3. release with group visibility: bob is whitelisted on the workflow
    //    version and on the algorithm version it runs.
    auto third = client.release_to_gallery(wf, shared);
    show(client, "after release_to_gallery(visibility=group, group_users=[bob])");

    // 4. add_whitelist_users: the algorithm first, then the workflow.
    client.add_whitelist_users(first.content_id, third.version_num, {carol.domain_id});
    show(client, "after add_whitelist_users(" + third.version_num.to_string() + ", [carol])");

    // 5. delete_whitelist_users: the workflow first, then the algorithm.
    auto removed =
        client.delete_whitelist_users(first.content_id, third.version_num, {bob.domain_id});
    show(client, "after delete_whitelist_users(" + third.version_num.to_string() + ", [bob])");
    for (auto const& k : removed.kept)
        std::cout << "  kept " << names[k.user] << " on " << k.content_id.substr(0, 8) << "@"
                  << k.version_num << ": " << k.reason << "\n";

    // What bob and carol can see now.
    aigallery::client as_bob{aigallery::beast_transport{gallery.url()}, bob.token};
    aigallery::client as_carol{aigallery::beast_transport{gallery.url()}, carol.token};
    std::cout << "\nshared with bob:   " << as_bob.list_contents({.scope = "shared"}).total
              << " assets\n";
    std::cout << "shared with carol: " << as_carol.list_contents({.scope = "shared"}).total
              << " assets\n";
    std::cout << "requests served: " << gallery.journal().size() << "\n";
    return 0;
}
