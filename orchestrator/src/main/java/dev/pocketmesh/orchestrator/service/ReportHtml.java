package dev.pocketmesh.orchestrator.service;

import java.util.List;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * {@code report.html}: {@code report.md} rendered to one standalone page (tables, and the plots it links as images
 * next to it), so the two reports never disagree: the Markdown is the one place their content is written.
 */
public final class ReportHtml {
    private static final List<org.commonmark.Extension> EXTENSIONS = List.of(TablesExtension.create());
    private static final Parser PARSER = Parser.builder().extensions(EXTENSIONS).build();
    // Escaped: a job's name or message is user text and must not become markup.
    private static final HtmlRenderer RENDERER = HtmlRenderer.builder().extensions(EXTENSIONS).escapeHtml(true)
            .build();

    private static final String STYLE = """
            body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}
            table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.25em .6em}
            td{text-align:right}td:nth-child(2){text-align:left}th{background:#f3f3f3}
            img{max-width:100%;border:1px solid #eee}pre{background:#f7f7f7;padding:.6em;overflow:auto}
            """;

    private ReportHtml() {
    }

    public static String render(String title, String markdown) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
                + escape(title) + "</title><style>" + STYLE + "</style></head><body>\n"
                + RENDERER.render(PARSER.parse(markdown)) + "</body></html>\n";
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
