FROM ruby:3.3-slim
ARG BUNDLE_GEMS__CONTRIBSYS__COM
WORKDIR /rails
RUN apt-get update -qq && apt-get install --no-install-recommends -y build-essential git libpq-dev
COPY Gemfile Gemfile.lock ./
RUN bundle install
COPY . .
RUN bundle exec rails assets:precompile
RUN useradd -u 1000100 rails && echo "rails:ChangeMe123" | chpasswd
USER rails
CMD ["bin/rails", "server", "-b", "0.0.0.0"]
