package io.zkml.api.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * docs/api-errors.md promises one section per problem type, in {@link ProblemType}'s order, with
 * the type's status and title: clients branch on these, so the page and the enum must not drift.
 */
class ProblemTypeDocsTest {

    private static final Pattern SECTION = Pattern.compile("(?m)^## ([a-z][a-z-]*)\\s*$");

    private static String page() throws IOException {
        Path p = Path.of("..", "docs", "api-errors.md");
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    private static List<String> sections(String page) {
        List<String> out = new ArrayList<>();
        Matcher m = SECTION.matcher(page);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static String slug(ProblemType t) {
        return t.uri().toString().substring(ProblemType.URN_PREFIX.length());
    }

    @Test
    void everyProblemTypeHasItsSectionInTheEnumsOrder() throws IOException {
        List<String> expected = Arrays.stream(ProblemType.values()).map(ProblemTypeDocsTest::slug).toList();
        assertThat(sections(page())).as("## <slug> sections of docs/api-errors.md").containsExactlyElementsOf(expected);
    }

    @Test
    void eachSectionStatesTheTypesStatusAndTitle() throws IOException {
        String page = page();
        for (ProblemType t : ProblemType.values()) {
            int start = page.indexOf("\n## " + slug(t) + "\n");
            assertThat(start).as(slug(t)).isNotNegative();
            int end = page.indexOf("\n## ", start + 4);
            String section = page.substring(start, end < 0 ? page.length() : end);
            assertThat(section).as(slug(t))
                    .contains("`" + t.uri() + "`")
                    .contains("**status**: " + t.status().value())
                    .contains("**title**: " + t.title());
        }
    }
}
