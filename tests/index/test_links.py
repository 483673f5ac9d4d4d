from index import ContentIndex, Document, SearchRequest
from index.links import depth, link_keys, path_key


def test_the_same_page_has_one_key_however_it_is_linked():
    keys = {path_key(p) for p in ("/handbook/finance/procurement/",
                                  "../finance/procurement/_index.md",
                                  "https://handbook.example.com/handbook/finance/procurement",
                                  "content/handbook/finance/procurement/_index.md")}
    assert keys == {"finance/procurement"}


def test_a_folder_page_sits_where_its_folder_does_and_a_host_is_no_folder():
    assert depth("handbook/privacy/_index.md") == depth("handbook/privacy.md") == 1
    assert depth("handbook/privacy/notices/cookies.md") == 3
    assert depth("https://handbook.example.com/handbook/privacy/") == 1
    assert depth("README.md") == depth("") == 0


def test_links_are_found_in_markdown_html_and_hugo_refs_once_each():
    text = ('[a](/hr/leave/) [b](/hr/leave/#sick) <a href="../it/laptops.html">c</a> '
            '{{< ref "policies/travel.md" >}} [mail](mailto:hr@example.com) [top](#intro)')
    assert link_keys(text) == ["hr/leave", "it/laptops", "policies/travel"]


def test_a_page_many_others_link_to_ranks_first_among_equals(tmp_path):
    ix = ContentIndex(tmp_path)
    pages = [Document(id="h:hr/leave.md", source="h", title="Leave", body="Leave rules."),
             Document(id="h:hr/leave-notes.md", source="h", title="Leave", body="Leave rules.")]
    pages += [Document(id=f"h:team/{i}.md", source="h", title=f"Team {i}",
                       body="Ask about it.", links=["hr/leave"]) for i in range(20)]
    ix.add(pages)
    request = SearchRequest(words=[("leave", 1.0)], limit=2)
    assert ix.rank(request, authority_share=0.25)[0].id == "h:hr/leave.md"
    plain = ix.rank(request, authority_share=0.0)
    assert plain[0].score == plain[1].score  # without links the two are a tie
