def test_seeds_import(all_seeds):
    assert [issue.number for issue in all_seeds] == [4, 2, 9]
