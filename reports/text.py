"""How notices and messages name things: one helper, so quotes never nest (`“上城区：小营街道“民生议事堂”…”`)."""


def titled(title: str) -> str:
    """A title (a report's, a call's topic) as every notice names it: in 《》, which leaves the title's own “”
    alone; a 《》 inside the title becomes 〈〉, the nested form: `《上城区：小营街道“民生议事堂”解民忧》`."""
    return "《" + " ".join(title.split()).replace("《", "〈").replace("》", "〉") + "》"
