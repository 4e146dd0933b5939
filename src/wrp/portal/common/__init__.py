"""What every role's pages share: who may open them, the objects they show (404 for what is not theirs), a service's
refusal in the page's words, the one answers form, and the presenters (labels, rows)."""
