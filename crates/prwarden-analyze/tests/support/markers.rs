//! Label comments (`// expect: rule-id` in the rule fixtures,
//! `# expect-item: item` in the evaluation corpus) are test data, not code:
//! a real pull request has none. The harnesses read the labels from the
//! original text and analyse a copy in which every label line is blank, so
//! no rule sees (or has to ignore) them and line numbers are unchanged.

/// `text` with every line that is only a comment containing `marker`
/// replaced by an empty line.
pub fn blank_label_lines(text: &str, marker: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            let code = line.trim_start();
            let comment = ["//", "#", "--", "/*", "{/*", "*", "<!--"]
                .iter()
                .any(|opener| code.starts_with(opener));
            if comment && !code.starts_with("#[") && code.contains(marker) {
                if line.ends_with("\r\n") {
                    "\r\n"
                } else if line.ends_with('\n') {
                    "\n"
                } else {
                    ""
                }
            } else {
                line
            }
        })
        .collect()
}
