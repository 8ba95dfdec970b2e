"""EcoSpold 2 (ecoinvent 3) and EcoSpold 1 (ecoinvent 2, US LCI) through bw2io's single-output importers."""

from __future__ import annotations

from pathlib import Path

from ...background.import_errors import ImportFormatError
from ...background.imported import BackgroundFormat
from ...errors import Problem
from .base import Importer
from .normalise import biosphere_2_3, drop_unspecified, link_by_ecoinvent_history, link_own_production

ES1_NAMESPACE = b"http://www.EcoInvent.org/EcoSpold01"
ES2_NAMESPACE = b"http://www.EcoInvent.org/EcoSpold02"


def _head(path: Path, size: int = 4096) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(size)
    except OSError:
        return b""


class Ecospold2(Importer):
    format = BackgroundFormat.ECOSPOLD2
    expects = "a folder of EcoSpold 2 *.spold files (ecoinvent's 'datasets' folder) or one .spold file"

    @classmethod
    def detect(cls, path: Path) -> bool:
        if path.is_file():
            return path.suffix.lower() == ".spold"
        return path.is_dir() and any(p.suffix.lower() == ".spold" for p in path.iterdir())

    def files(self, path: Path) -> list[Path]:
        return [path] if path.is_file() else sorted(p for p in path.iterdir() if p.suffix.lower() == ".spold")

    def importer(self, path: Path, database: str):
        from bw2io import SingleOutputEcospold2Importer

        if path.is_file():  # bw2io reads folders only: one link to the file in a folder of its own
            folder = self.workdir / "spold"
            folder.mkdir()
            (folder / path.name).symlink_to(path.resolve())
            path = folder
        return SingleOutputEcospold2Importer(str(path), database, use_mp=False, add_product_information=False)


class Ecospold1(Importer):
    format = BackgroundFormat.ECOSPOLD1
    expects = "an EcoSpold 1 .xml file or a folder of them"

    @classmethod
    def detect(cls, path: Path) -> bool:
        if path.is_file():
            return path.suffix.lower() == ".xml" and ES1_NAMESPACE in _head(path)
        return path.is_dir() and any(p.suffix.lower() == ".xml" and ES1_NAMESPACE in _head(p) for p in path.iterdir())

    def files(self, path: Path) -> list[Path]:
        return [path] if path.is_file() else sorted(p for p in path.iterdir() if p.suffix.lower() == ".xml")

    def importer(self, path: Path, database: str):
        from bw2io import SingleOutputEcospold1Importer

        self._validate(path)
        imp = SingleOutputEcospold1Importer(str(path), database, use_mp=False)
        names = [getattr(s, "func", s).__name__ for s in imp.strategies]
        at = names.index("link_iterable_by_fields")  # the link to biosphere3: normalise the flows before it
        imp.strategies[at:at] = [drop_unspecified, biosphere_2_3(self.cache)]
        imp.strategies.insert(at + 3, link_by_ecoinvent_history)  # after bw2io's own link to biosphere3
        imp.strategies.append(link_own_production)
        return imp

    def _validate(self, path: Path) -> None:
        """Each file against the EcoSpold 1 schema first, so that the error names the file(s) bw2io cannot read."""
        import pyecospold
        from lxml import etree

        problems = []
        for f in self.files(path):
            try:
                pyecospold.parse_file_v1(str(f))
            except (etree.LxmlError, OSError, ValueError) as exc:
                problems.append(
                    Problem(
                        f"not a valid EcoSpold 1 dataset: {exc}",
                        fix="export the dataset again (EcoSpold 1 XML, valid against EcoSpold01Dataset.xsd), or "
                        "move the file out of the folder",
                        file=str(f),
                    )
                )
        if problems:
            raise ImportFormatError(problems)
