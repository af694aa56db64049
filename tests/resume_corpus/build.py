"""Build the resume corpus: real PDFs (reportlab) and DOCX files (python-docx) with their ground truth.

    .venv/bin/python tests/resume_corpus/build.py     # rewrites files/ and truth.json

The files are committed, so the regression test and bench/resumes.py need neither library to run;
rerun this after changing a resume below. Each resume is written in one of four layouts that real
resumes use and that the local parser used to get wrong:

- pdf-one: one column, "Title — Company" then a dates line, bullets that wrap onto a second line;
- pdf-two: a narrow sidebar (contact, education, skills) drawn before a main column, so school
  names wrap ("Chalmers University of" / "Technology");
- docx-table: a layout table (sidebar cell, main cell) with Word list bullets (numbering in numPr,
  no bullet character in the text);
- docx-list: plain paragraphs, contact details in the page header, "List Number" entries.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

HERE = Path(__file__).parent
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def job(title, company, start, end, *bullets):
    return {"title": title, "company": company, "start": start, "end": end, "bullets": list(bullets)}


def school(degree, institution, start, end):
    return {"degree": degree, "institution": institution, "start": start, "end": end}


RESUMES = [
    {
        "id": "lukasz-pdf-one",
        "layout": "pdf-one",
        "name": "Łukasz Wiśniewski",
        "headline": "Senior Data Engineer",
        "contact": "Kraków, Poland | lukasz.w@example.com | +48 601 234 567",
        "jobs": [
            job(
                "Senior Data Engineer",
                "Allegro",
                "Mar 2020",
                "Present",
                "Designed streaming pipelines with Apache Kafka and Spark that process four billion events a day "
                "for the recommendations and search teams",
                "Moved batch jobs from cron to Airflow and cut failed nightly runs by ninety percent",
            ),
            job(
                "Data Engineer",
                "Comarch",
                "Jul 2016",
                "Feb 2020",
                "Built the billing warehouse in PostgreSQL and wrote the dbt models the finance team still uses "
                "every month",
                "Tuned slow queries",
            ),
        ],
        "schools": [school("MSc Computer Science", "AGH University of Science and Technology", "2011", "2016")],
        "skills": ["Python", "Apache Kafka", "Spark", "Airflow", "PostgreSQL", "dbt", "A/B Testing", "CI/CD"],
    },
    {
        "id": "nguyen-pdf-two",
        "layout": "pdf-two",
        "name": "Nguyễn Thị Minh Anh",
        "headline": "Product Designer",
        "contact": "Hà Nội, Vietnam | minhanh@example.com | +84 912 345 678",
        "jobs": [
            job(
                "Senior Product Designer",
                "VNG Corporation",
                "Jan 2021",
                "Present",
                "Led the redesign of the payments app onboarding and ran A/B Testing on every screen of the "
                "new sign-up flow",
                "Built the design system in Figma used by six product teams",
            ),
            job(
                "Product Designer",
                "Tiki",
                "Jun 2018",
                "Dec 2020",
                "Ran user research interviews with sellers and turned them into prototypes",
            ),
        ],
        "schools": [
            school("Bachelor of Fine Arts", "Hanoi University of Industrial Fine Arts", "2014", "2018"),
        ],
        "skills": ["Figma", "User Research", "Prototyping", "A/B Testing", "Design Systems"],
    },
    {
        "id": "jose-docx-table",
        "layout": "docx-table",
        "name": "JOSÉ ÁLVAREZ GARCÍA",
        "truth_name": "José Álvarez García",
        "headline": "Backend Engineer",
        "contact": "Madrid, Spain | jose.alvarez@example.com | +34 612 345 678",
        "jobs": [
            job(
                "Backend Engineer",
                "Cabify",
                "Apr 2019",
                "Present",
                "Maintained Go services",
                "Introduced CI/CD with GitHub Actions",
                "Wrote the pricing API in Go backed by PostgreSQL and Redis",
            ),
            job("Software Developer", "Indra", "Sep 2015", "Mar 2019", "Java services", "Oracle migrations"),
        ],
        "schools": [school("Grado en Ingeniería Informática", "Universidad Politécnica de Madrid", "2011", "2015")],
        "skills": ["Go", "Java", "PostgreSQL", "Redis", "GitHub Actions", "CI/CD", "Oracle"],
    },
    {
        "id": "soren-docx-list",
        "layout": "docx-list",
        "name": "Søren Kjærgaard",
        "headline": "DevOps Engineer",
        "contact": "Aarhus, Denmark | soren@example.com | +45 20 12 34 56",
        "jobs": [
            job(
                "DevOps Engineer",
                "Netcompany",
                "Feb 2019",
                "Present",
                "Kubernetes upgrades",
                "Terraform modules for AWS",
                "On-call rota",
            ),
            job("Systems Administrator", "Aarhus Kommune", "2014", "2019", "Linux servers", "Ansible playbooks"),
        ],
        "schools": [school("BSc Software Engineering", "Aarhus University", "2010", "2014")],
        "skills": ["Kubernetes", "Terraform", "AWS", "Linux", "Ansible", "Docker"],
    },
    {
        "id": "chalmers-pdf-two",
        "layout": "pdf-two",
        "name": "Åsa Lindqvist-Öberg",
        "headline": "Machine Learning Engineer",
        "contact": "Göteborg, Sweden | asa@example.com | +46 70 123 45 67",
        "jobs": [
            job(
                "Machine Learning Engineer",
                "Volvo Cars",
                "Aug 2020",
                "Present",
                "Trained perception models in PyTorch and shipped them to the car with a TensorFlow Lite "
                "conversion step",
                "Set up MLflow experiment tracking",
            ),
            job(
                "Research Assistant",
                "Chalmers University of Technology",
                "Sep 2018",
                "Jul 2020",
                "Published two papers on reinforcement learning for traffic control",
            ),
        ],
        "schools": [
            school("MSc Data Science", "Chalmers University of Technology", "2016", "2018"),
            school("BSc Engineering Physics", "KTH Royal Institute of Technology", "2013", "2016"),
        ],
        "skills": ["Python", "PyTorch", "TensorFlow", "MLflow", "Machine Learning", "Reinforcement Learning"],
    },
    {
        "id": "chidi-pdf-one",
        "layout": "pdf-one",
        "name": "Chidinma Okonkwo-Adeyemi",
        "headline": "Frontend Engineer",
        "contact": "Lagos, Nigeria | chidinma@example.com | +234 803 123 4567",
        "jobs": [
            job(
                "Frontend Engineer",
                "Paystack",
                "Jan 2020",
                "Present",
                "Rebuilt the merchant dashboard in React and TypeScript with server-side rendering in Next.js and "
                "a shared component library",
                "Wrote end-to-end tests in Cypress",
            ),
            job(
                "Web Developer",
                "Andela",
                "Mar 2017",
                "Dec 2019",
                "Built client sites in JavaScript and CSS for partners in Europe and the United States",
            ),
        ],
        "schools": [school("BSc Computer Science", "University of Lagos", "2012", "2016")],
        "skills": ["React", "TypeScript", "Next.js", "JavaScript", "CSS", "Cypress", "HTML"],
    },
    {
        "id": "wang-docx-table",
        "layout": "docx-table",
        "name": "王小明",
        "headline": "Mobile Developer",
        "contact": "Shanghai, China | xiaoming.wang@example.com | +86 138 0013 8000",
        "jobs": [
            job("Senior Mobile Developer", "ByteDance", "May 2019", "Present", "Swift apps", "Kotlin modules"),
            job("iOS Developer", "Ctrip", "Jul 2015", "Apr 2019", "Objective-C to Swift", "Release process"),
        ],
        "schools": [school("Bachelor of Engineering", "Fudan University", "2011", "2015")],
        "skills": ["Swift", "Kotlin", "iOS", "Android", "Objective-C", "Git"],
    },
    {
        "id": "alexandros-pdf-one",
        "layout": "pdf-one",
        "name": "Αλέξανδρος Παπαδόπουλος",
        "headline": "Site Reliability Engineer",
        "contact": "Athens, Greece | alex.p@example.com | +30 694 123 4567",
        "jobs": [
            job(
                "Site Reliability Engineer",
                "Workable",
                "Oct 2018",
                "Present",
                "Ran the Prometheus and Grafana monitoring stack for forty services and wrote the on-call runbooks",
                "Automated deploys with CI/CD pipelines",
            ),
            job(
                "Systems Engineer",
                "OTE Group",
                "Jan 2014",
                "Sep 2018",
                "Operated Linux fleets and automated them with Ansible and Bash scripts",
            ),
        ],
        "schools": [
            school("Diploma in Electrical Engineering", "National Technical University of Athens", "2008", "2013")
        ],
        "skills": ["Prometheus", "Grafana", "Linux", "Ansible", "Bash", "CI/CD", "Kubernetes"],
    },
    {
        "id": "priya-docx-list",
        "layout": "docx-list",
        "name": "Priya Ramaswamy",
        "headline": "Data Analyst",
        "contact": "Bengaluru, India | priya.r@example.com | +91 98450 12345",
        "jobs": [
            job("Data Analyst", "Flipkart", "Jun 2019", "Present", "A/B Testing", "Tableau dashboards", "SQL"),
            job("Business Analyst", "Infosys", "Jul 2016", "May 2019", "Excel models", "Stakeholder reports"),
        ],
        "schools": [
            school("MBA", "Indian Institute of Management Bangalore", "2014", "2016"),
            school("B.Tech Computer Science", "Anna University", "2010", "2014"),
        ],
        "skills": ["SQL", "Tableau", "Excel", "A/B Testing", "Python", "Statistics"],
    },
    {
        "id": "mueller-pdf-two",
        "layout": "pdf-two",
        "name": "JÜRGEN MÜLLER",
        "truth_name": "Jürgen Müller",
        "headline": "Engineering Manager",
        "contact": "München, Germany | juergen@example.com | +49 89 1234 5678",
        "jobs": [
            job(
                "Engineering Manager",
                "Celonis",
                "Jan 2021",
                "Present",
                "Grew the platform team from four to twelve engineers and introduced quarterly planning with OKRs",
            ),
            job(
                "Senior Software Engineer",
                "Siemens",
                "Apr 2015",
                "Dec 2020",
                "Built Java microservices on Kubernetes for the industrial IoT platform and mentored three "
                "junior engineers",
            ),
        ],
        "schools": [school("Diplom-Informatiker", "Technische Universität München", "2008", "2014")],
        "skills": ["Java", "Kubernetes", "Microservices", "Leadership", "Agile"],
    },
    {
        "id": "aoife-docx-table",
        "layout": "docx-table",
        "name": "Aoife Ní Bhriain",
        "headline": "QA Engineer",
        "contact": "Dublin, Ireland | aoife@example.com | +353 87 123 4567",
        "jobs": [
            job("QA Engineer", "Intercom", "Feb 2020", "Present", "Selenium suites", "Test plans", "Playwright"),
            job("Test Analyst", "Accenture", "Sep 2016", "Jan 2020", "Manual testing", "JIRA triage"),
        ],
        "schools": [school("BSc Computing", "Trinity College Dublin", "2012", "2016")],
        "skills": ["Selenium", "Playwright", "JIRA", "Python", "Manual Testing"],
    },
    {
        "id": "ahmed-pdf-one",
        "layout": "pdf-one",
        "name": "Aḥmad ibn Yūsuf al-Masri",
        "truth_name": "Aḥmad ibn Yūsuf al-Masri",
        "headline": "Cloud Architect",
        "contact": "Cairo, Egypt | ahmad@example.com | +20 100 123 4567",
        "jobs": [
            job(
                "Cloud Architect",
                "Vodafone Egypt",
                "Jan 2019",
                "Present",
                "Moved the billing platform to Azure and designed the landing zones, networking and identity "
                "for sixty application teams",
                "Cut cloud spend by a third",
            ),
            job("Solutions Engineer", "IBM", "Jun 2013", "Dec 2018", "Designed hybrid cloud deployments"),
        ],
        "schools": [school("BSc Computer Engineering", "Cairo University", "2008", "2013")],
        "skills": ["Azure", "AWS", "Terraform", "Networking", "CI/CD"],
    },
    {
        "id": "marie-docx-list",
        "layout": "docx-list",
        "name": "Marie-Hélène Lefèvre",
        "headline": "Marketing Manager",
        "contact": "Lyon, France | mh.lefevre@example.com | +33 6 12 34 56 78",
        "jobs": [
            job("Marketing Manager", "BlaBlaCar", "Mar 2019", "Present", "SEO", "Growth experiments", "Budget"),
            job("Marketing Specialist", "Decathlon", "Sep 2015", "Feb 2019", "Campaigns", "Google Analytics"),
        ],
        "schools": [school("Master en Marketing", "ESSEC Business School", "2013", "2015")],
        "skills": ["SEO", "Google Analytics", "A/B Testing", "Content Marketing", "Copywriting"],
    },
    {
        "id": "kenji-pdf-two",
        "layout": "pdf-two",
        "name": "Kenji Watanabe",
        "headline": "Security Engineer",
        "contact": "Tokyo, Japan | kenji@example.com | +81 90 1234 5678",
        "jobs": [
            job(
                "Security Engineer",
                "Mercari",
                "Apr 2020",
                "Present",
                "Ran penetration tests and threat modelling for the payments platform and its mobile apps",
                "Built SIEM alerting",
            ),
            job(
                "Network Engineer",
                "NTT Data",
                "Apr 2015",
                "Mar 2020",
                "Configured firewalls and VPNs for enterprise clients",
            ),
        ],
        "schools": [school("Master of Information Science", "Tokyo Institute of Technology", "2013", "2015")],
        "skills": ["Penetration Testing", "Threat Modeling", "SIEM", "Networking", "Python"],
    },
]


def variants(resume: dict) -> list[dict]:
    """Every resume as its own layout; the DOCX ones also as a PDF (a sidebar for the table layout)."""
    if resume["layout"].startswith("pdf") or resume["id"].startswith("wang"):  # DejaVu has no Han glyphs
        return [resume]
    layout = "pdf-two" if resume["layout"] == "docx-table" else "pdf-one"
    return [resume, {**resume, "id": resume["id"].rsplit("-", 2)[0] + "-" + layout, "layout": layout}]


def truth(resume: dict) -> dict:
    return {
        "file": resume["id"] + (".pdf" if resume["layout"].startswith("pdf") else ".docx"),
        "layout": resume["layout"],
        "name": resume.get("truth_name", resume["name"]),
        "skills": resume["skills"],
        "jobs": [{k: j[k] for k in ("title", "company")} for j in resume["jobs"]],
        "schools": [{k: s[k] for k in ("degree", "institution")} for s in resume["schools"]],
    }


# --- PDF -------------------------------------------------------------------------------------------


def _pdf(resume: dict) -> bytes:
    from reportlab import rl_config
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Frame, FrameBreak, ListFlowable, ListItem, PageTemplate, Paragraph, Spacer
    from reportlab.platypus.doctemplate import BaseDocTemplate

    rl_config.invariant = 1  # no creation date or random id: a rebuild gives the same bytes
    pdfmetrics.registerFont(TTFont("DejaVu", FONT))
    pdfmetrics.registerFont(TTFont("DejaVu-Bold", FONT_BOLD))
    body = ParagraphStyle("body", fontName="DejaVu", fontSize=9.5, leading=12)
    bold = ParagraphStyle("bold", parent=body, fontName="DejaVu-Bold")
    name = ParagraphStyle("name", parent=bold, fontSize=18, leading=22)
    heading = ParagraphStyle("heading", parent=bold, fontSize=11, leading=16, spaceBefore=6)

    def bullets(items):
        return ListFlowable(
            [ListItem(Paragraph(item, body), leftIndent=10) for item in items],
            bulletType="bullet",
            start="•",
            leftIndent=10,
            bulletFontName="DejaVu",
        )

    def experience():
        out = [Paragraph("EXPERIENCE", heading)]
        for j in resume["jobs"]:
            out += [
                Paragraph(f"{j['title']} — {j['company']}", bold),
                Paragraph(f"{j['start']} – {j['end']}", body),
                bullets(j["bullets"]),
                Spacer(1, 4),
            ]
        return out

    def education():
        out = [Paragraph("EDUCATION", heading)]
        for s in resume["schools"]:
            out += [Paragraph(f"{s['degree']} — {s['institution']}", body)]
            out += [Paragraph(f"{s['start']} – {s['end']}", body)]
        return out

    def skills():
        return [Paragraph("SKILLS", heading), Paragraph(", ".join(resume["skills"]), body)]

    top = [Paragraph(resume["name"], name), Paragraph(resume["headline"], bold)]
    contact = [Paragraph(part, body) for part in resume["contact"].split(" | ")]
    buffer = io.BytesIO()
    width, height = A4
    doc = BaseDocTemplate(buffer, pagesize=A4, title=resume["name"], author="")
    if resume["layout"] == "pdf-one":
        frames = [Frame(50, 50, width - 100, height - 100, id="main")]
        story = top + [Paragraph(resume["contact"], body), Paragraph("SUMMARY", heading)]
        story += [Paragraph(f"{resume['headline']} who ships reliable work and cares about the people using it.", body)]
        story += experience() + education() + skills()
    else:  # a 150 pt sidebar drawn first, then the main column
        frames = [Frame(40, 50, 150, height - 100, id="side"), Frame(210, 50, width - 250, height - 100, id="main")]
        story = top + contact + education() + skills() + [FrameBreak()] + experience()
    doc.addPageTemplates([PageTemplate(id="page", frames=frames)])
    doc.build(story)
    return buffer.getvalue()


# --- DOCX ------------------------------------------------------------------------------------------


def _docx(resume: dict) -> bytes:
    import docx

    document = docx.Document()
    if resume["layout"] == "docx-list":
        header = document.sections[0].header.paragraphs[0]
        header.text = resume["contact"]
        document.add_paragraph(resume["name"], style="Title")
        document.add_paragraph(resume["headline"])
        main = side = document
    else:
        table = document.add_table(rows=1, cols=2)
        side, main = table.rows[0].cells
        side.paragraphs[0].text = resume["name"]
        side.add_paragraph(resume["headline"])
        for part in resume["contact"].split(" | "):
            side.add_paragraph(part)

    def heading(container, text):
        container.add_paragraph(text, style="Heading 2" if container is document else None)

    bullet_style = "List Number" if resume["layout"] == "docx-list" else "List Bullet"
    heading(main, "Work Experience")
    for j in resume["jobs"]:
        main.add_paragraph(f"{j['title']}, {j['company']}")
        main.add_paragraph(f"{j['start']} - {j['end']}")
        for item in j["bullets"]:
            main.add_paragraph(item, style=bullet_style)
    heading(side, "Education")
    for s in resume["schools"]:
        side.add_paragraph(s["institution"])
        side.add_paragraph(f"{s['degree']}, {s['start']} - {s['end']}")
    heading(side, "Skills")
    for item in resume["skills"]:
        side.add_paragraph(item, style="List Bullet")
    buffer = io.BytesIO()
    document.core_properties.author = ""
    document.save(buffer)
    return buffer.getvalue()


def main() -> None:
    files = HERE / "files"
    files.mkdir(exist_ok=True)
    truths = []
    for resume in (variant for original in RESUMES for variant in variants(original)):
        record = truth(resume)
        data = _pdf(resume) if resume["layout"].startswith("pdf") else _docx(resume)
        (files / record["file"]).write_bytes(data)
        truths.append(record)
    (HERE / "truth.json").write_text(json.dumps(truths, ensure_ascii=False, indent=1) + "\n")
    print(f"{len(truths)} resumes written to {files}")


if __name__ == "__main__":
    main()
