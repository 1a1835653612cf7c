from sqlmodel import Field, SQLModel


class Unit(SQLModel, table=True):
    """A unit that owns fixes: a part of the technical department, the police, property owners."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True)
    name_sv: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    department_sv: str = Field(default="", max_length=200)
    department_en: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=320)

    def name(self, lang: str) -> str:
        return self.name_sv if lang == "sv" else self.name_en
