# The evidence the AWS CLI exported (see README.md): CloudWatch metrics and describe-application.
evidence {
  paths = ["cloudwatch"]
}
