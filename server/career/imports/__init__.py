"""Career data importers: O*NET text files, ESCO CSV and JSON, an organisation's own roles (CSV).

Each import replaces what the same source imported before (occupations and skills are updated in
place, so people's ratings and target roles keep pointing at them) and returns an ImportReport.
Credits: O*NET data is by the U.S. Department of Labor, Employment and Training Administration
(USDOL/ETA), used under CC BY 4.0; ESCO is the European Commission's classification.
"""

from server.career.imports.common import CareerDataError, ImportReport, counts
from server.career.imports.esco import import_esco
from server.career.imports.onet import import_onet
from server.career.imports.org_roles import import_roles

__all__ = ["CareerDataError", "ImportReport", "counts", "import_esco", "import_onet",
           "import_roles"]
