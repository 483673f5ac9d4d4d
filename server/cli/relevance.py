"""Relevance from the shell: `jitlearn suggest`, `jitlearn eval`, `jitlearn train`."""

import json
import sys
from pathlib import Path

import click

from server.cli.base import command_app, fail, main
from server.storage import db


@main.command()
@click.argument("title")
@click.option("--url", default="")
@click.option("--text", default="", help="Visible text or selection from the page.")
@click.option("--heading", "headings", multiple=True, help="A heading (repeatable).")
@click.option("--limit", default=3, show_default=True, type=click.IntRange(1, 20))
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer.")
@click.option("--groups", default=None,
              help="Answer as someone in these audience groups (comma-separated); "
                   "without it the whole library is searched, restricted content included.")
def suggest(title, url, text, headings, limit, as_json, groups):
    """Show suggestions for a page TITLE, as the side panel would."""
    from nlp import Context
    from server.runtime import engine_of

    members = None if groups is None else {g.strip().lower() for g in groups.split(",")
                                           if g.strip()}
    result = engine_of(command_app()).suggest(Context(title=title, url=url, text=text,
                                               headings=list(headings)), limit=limit,
                                       groups=members)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    labels = ", ".join(f"{t.label} ({t.weight:.2f})" for t in result.topics) or "none"
    click.echo(f"topics: {labels}")
    if not result.suggestions:
        click.echo(f"no suggestions: {result.abstained}")
    for n, s in enumerate(result.suggestions, 1):
        click.echo(f"{n}. {s.title}  [{s.type}, {s.score:.2f}]  {s.id}")
        for reason in s.reasons:
            click.echo(f"     - {reason}")


@main.command("eval")
@click.argument("judgments", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write one JSON line per context: id, ranked ids, latency_ms.")
@click.option("--cross-validate", "folds", type=click.IntRange(2, 20), default=None,
              help="Print one table instead: the engine in-sample and over this many folds, "
                   "with and without the taxonomy, with and without profiles.")
@click.option("--baseline", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Another system's run (JSONL: id, ranked) to score beside it, e.g. BM25F.")
def evaluate(judgments, output, folds, baseline):
    """Score suggestions against graded JUDGMENTS (JSONL); prints metrics as JSON.

    A judgment's profile (role, target_role, goals, tenure_days) is applied as the API applies
    a person's own."""
    from server.people.gaps import profile_signal
    from server.runtime import engine_of
    from server.suggest import training
    from server.suggest.evaluation import load_judgments, load_run, run_eval

    app = command_app()
    with app.app_context():
        try:
            judged = load_judgments(judgments)
            engine = engine_of(app)
            personalize = lambda p: profile_signal(app, db.session(), p)  # noqa: E731
            metrics = run_eval(engine, judged, output, personalize)
            if folds is None:
                click.echo(json.dumps(metrics, indent=2))
                return
            other = load_run(baseline) if baseline else None
            click.echo(training.report(engine, judged, folds, personalize, other, metrics))
        except ValueError as exc:  # a TrainingError too
            fail(str(exc))


@main.command()
@click.argument("judgments", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 20),
              help="Pages are split into this many folds; each is answered by a model fitted "
                   "on the others.")
@click.option("--no-taxonomy", is_flag=True,
              help="Fit the model used without a taxonomy and rules (a library on day one).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the model [default: ranker.json in JITLEARN_HOME, which "
                   "the server then uses].")
def train(judgments, folds, no_taxonomy, output):
    """Fit the ranking and abstention models to graded JUDGMENTS (JSONL, as for eval).

    Prints the figures on the judged pages (in-sample) and on held-out folds
    (cross-validated), then saves the model fitted on every page."""
    from nlp import TopicExtractor
    from server.runtime import index_of, ruleset
    from server.suggest import training
    from server.suggest.evaluation import load_judgments

    app = command_app()
    with app.app_context():
        try:
            judged = load_judgments(judgments)
        except ValueError as exc:
            fail(str(exc))
        _, taxonomy, rules = ruleset(app)  # the published taxonomy and rules
        extractor = TopicExtractor.build(model=app.config["MODEL"], taxonomy_path=taxonomy,
                                         rules_path=rules)
        engine = training.reader(extractor, index_of(app), taxonomy=not no_taxonomy)
        with click.progressbar(length=len(judged), label="Reading the judged pages",
                               file=sys.stderr) as bar:
            samples = training.read_judgments(engine, judged,
                                              lambda done, total: bar.update(1))
        try:
            model, rows = training.train(engine, samples, folds)
        except training.TrainingError as exc:
            fail(str(exc))
        model.trained.update(judgments=len(judged), taxonomy=not no_taxonomy)
        target = output or Path(app.config["HOME"]) / "ranker.json"
        model.save(target)
    click.echo(training.table(rows))
    cards = model.trained.get("cards")
    if cards:
        click.echo("A card's score is its chance of helping; on the held-out pages:")
        for card in cards:
            click.echo(f"  card {card['card']}: says {card['said']:.2f} on average, "
                       f"{card['useful']:.2f} were judged useful ({card['pages']} pages)")
    else:
        click.echo("Cards' scores were not calibrated: the held-out pages' cards were all "
                   "useful, or none was; they show exp(score - best)")
    click.echo(f"Saved to {target}")


@main.command()
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the table (jitlearn's own: nlp/data/workplace-words.json).")
def words(output):
    """Write how often this library uses each word: the prior of a small library's counts.

    `make train` writes the table jitlearn ships from the reference library; a library of
    fewer than a few hundred thousand words weighs its pages' words against it, not English
    alone."""
    from nlp.background import Workplace
    from server.runtime import index_of

    profiles = index_of(command_app()).profiles()
    if not profiles.n:
        fail("the library is empty: ingest content first (`jitlearn ingest FOLDER`)")
    table = Workplace.of(profiles)
    try:
        table.save(output)
    except OSError as exc:
        fail(f"{output}: cannot write the table ({exc.strerror or exc})")
    click.echo(f"{len(table.uses):,} words of {profiles.n:,} documents "
               f"({profiles.words:,.0f} words in all) written to {output}")
