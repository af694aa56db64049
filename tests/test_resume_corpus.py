"""The local parser on the resume corpus (tests/resume_corpus): PDFs in one and two columns, DOCX
files with layout tables and Word lists, names in many scripts. bench/resumes.py prints the same
figures and every miss."""

from __future__ import annotations

import io

import docx
import pytest
from resume_corpus import FILES, load, score

from app.integrations.ai.local_parser import parse_resume
from app.integrations.documents import extract_text
from app.integrations.documents.sniff import DOCX


@pytest.fixture(scope="module")
def corpus_score():
    return score(extract_text, parse_resume)


def test_the_corpus_is_varied():
    truths = load()
    assert sum(t["file"].endswith(".pdf") for t in truths) >= 12
    assert {t["layout"] for t in truths} == {"pdf-one", "pdf-two", "docx-table", "docx-list"}
    assert all((FILES / t["file"]).is_file() for t in truths)


def test_every_name_is_read(corpus_score):
    assert corpus_score.names == corpus_score.resumes, corpus_score.misses


def test_skills_f1_is_at_least_0_9(corpus_score):
    assert corpus_score.f1 >= 0.9, corpus_score.misses


def test_at_least_90_percent_of_jobs_and_schools(corpus_score):
    assert corpus_score.jobs >= 0.9, corpus_score.misses
    assert corpus_score.schools >= 0.9, corpus_score.misses


@pytest.mark.parametrize(
    ("first_lines", "name"),
    [
        ("Łukasz Wiśniewski\nData Engineer", "Łukasz Wiśniewski"),
        ("Nguyễn Thị\nMinh Anh\nProduct Designer", "Nguyễn Thị Minh Anh"),
        ("JOSÉ\nÁLVAREZ\nGARCÍA\nBackend Engineer", "José Álvarez García"),
        ("Aḥmad ibn Yūsuf al-Masri\nCloud Architect", "Aḥmad ibn Yūsuf al-Masri"),
        ("王小明\nMobile Developer", "王小明"),
        ("Åsa Lindqvist\n-Öberg\nMachine Learning\nEngineer", "Åsa Lindqvist-Öberg"),
    ],
)
def test_names_in_any_script_and_in_capitals(first_lines, name):
    assert parse_resume(first_lines + "\nname@example.com\n").contact.name == name


def test_docx_is_read_in_document_order_with_list_bullets_kept():
    document = docx.Document()
    document.add_paragraph("Experience")
    table = document.add_table(rows=1, cols=1)
    cell = table.rows[0].cells[0]
    cell.paragraphs[0].text = "Mobile Developer, ByteDance"
    cell.add_paragraph("2019 - Present")
    cell.add_paragraph("Kotlin modules", style="List Bullet")
    cell.add_paragraph("Swift apps", style="List Number")
    document.add_paragraph("Education")
    buffer = io.BytesIO()
    document.save(buffer)
    text = extract_text(buffer.getvalue(), DOCX)
    assert text.splitlines() == [
        "Experience",
        "Mobile Developer, ByteDance",
        "2019 - Present",
        "• Kotlin modules",
        "1. Swift apps",
        "Education",
    ]
    assert [(p.title, p.company) for p in parse_resume(text).experience] == [("Mobile Developer", "ByteDance")]


def test_wrapped_lines_and_lone_bullet_glyphs_do_not_start_new_positions():
    text = """Kenji Watanabe
Experience
Security Engineer — Mercari
Apr 2020 – Present
•
Ran penetration tests and threat modelling for the payments
platform and its mobile apps
Network Engineer — NTT Data
Apr 2015 – Mar 2020
Education
Master of Information
Science — Tokyo Institute of
Technology
2013 – 2015
BSc Computing — Trinity
College Dublin
2009 – 2013
"""
    parsed = parse_resume(text)
    assert [(p.title, p.company) for p in parsed.experience] == [
        ("Security Engineer", "Mercari"),
        ("Network Engineer", "NTT Data"),
    ]
    assert "payments platform and its mobile apps" in parsed.experience[0].description
    assert [(s.degree, s.institution, s.end) for s in parsed.education] == [
        ("Master of Information Science", "Tokyo Institute of Technology", "2015"),
        ("BSc Computing", "Trinity College Dublin", "2013"),
    ]


def test_skills_with_a_slash_are_kept_whole():
    parsed = parse_resume("Ada Lovelace\nSkills\nA/B Testing, CI/CD, Python/Go, Threat\nModeling\n")
    assert {"A/B Testing", "CI/CD", "Python", "Go", "Threat Modeling"} <= set(parsed.skills)
    assert not {"A", "B Testing", "CI", "CD", "Python/Go"} & set(parsed.skills)
