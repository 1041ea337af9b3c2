module Ztwim.Specs.Api.CommonConfigSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Specs.Api.Examples

let private qualifiedName =
    "must be a qualified name: alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric, with an optional DNS subdomain prefix and '/'"

let private labelValue =
    "must be a label value: empty, or alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric"

let private quantity =
    "must be a quantity such as 500m, 2 or 1Gi (pattern ^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$)"

let private entries (n: int) =
    Json.obj [ for i in 1..n -> sprintf "key-%d" i, str "v" ]

/// labels and nodeSelector: string maps checked as metav1's ValidateLabels, with a maximum size.
let private labelMapRows (path: string) (max: int) =
    [ unsetByDefault path
      accepts path (json """{"app.kubernetes.io/part-of": "spire", "team": "", "tier_1": "a.b-c"}""")
      accepts path (entries max)
      rejects path (entries (max + 1)) (sprintf "must have at most %d entries" max)
      rejects path (str "team=a") "must be an object, not string"
      rejects (path + ".team") (num 1) "must be a string, not integer"
      refusedByController (path + ".team") (str "-a") labelValue
      refusedByController (path + ".team") (str (repeat 64 "v")) "must be a label value of at most 63 characters"
      accepts (path + ".team") (str (repeat 63 "v"))
      example
          (sprintf "%s: a key that is not a qualified name" path)
          (set path (json """{"bad key": "v"}"""))
          (Refused [ FieldError.controller (path + ".bad key") ("key " + qualifiedName) (Some(str "bad key")) ])
      example
          (sprintf "%s: a key prefix that is not a DNS subdomain" path)
          (set path (json """{"Example.com/name": "v"}"""))
          (Refused
              [ FieldError.controller
                    (path + ".Example.com/name")
                    "key prefix must be a DNS-1123 subdomain: lower-case alphanumerics, '-' or '.', starting and ending with an alphanumeric"
                    (Some(str "Example.com/name")) ]) ]

let private resources = "spec.resources"

let private resourceRows =
    [ unsetByDefault resources
      accepts
          resources
          (json """{"limits": {"cpu": "500m", "memory": "1Gi"}, "requests": {"cpu": "250m", "memory": "512Mi"}}""")
      // int-or-string: a number is a quantity too.
      reads resources (json """{"limits": {"cpu": 2}}""") (Some(json """{"limits": {"cpu": "2"}}"""))
      accepts resources (json """{"requests": {"cpu": "1000m"}, "limits": {"cpu": "1"}}""")
      accepts resources (json """{"limits": {"cpu": ".5", "memory": "1e3", "example.com/gpu": "1"}}""")
      accepts resources (json """{"claims": [{"name": "gpu"}, {"name": "nic", "request": "fast"}]}""")
      rejects resources (json "[]") "must be an object, not array"
      rejects (resources + ".limits.cpu") (str "1.5.5") quantity
      rejects (resources + ".limits.cpu") (str "1K") quantity
      rejects (resources + ".requests.memory") (str "1ki") quantity
      rejects (resources + ".requests.memory") (str "") quantity
      rejects
          (resources + ".limits.cpu")
          (Json.Bool true)
          "must be a quantity: a string such as 500m or 1Gi, or an integer; not boolean"
      rejects
          (resources + ".limits.cpu")
          (Json.Number 0.5m)
          "must be a quantity: a string such as 500m or 1Gi, or an integer; not number"
      refusedByController (resources + ".limits.cpu") (str "-1") "must be greater than or equal to 0"
      refusedByController (resources + ".requests.memory") (str "-1Mi") "must be greater than or equal to 0"
      example
          "a request above its limit is refused by the controller"
          (set resources (json """{"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}"""))
          (Refused
              [ FieldError.controller
                    (resources + ".requests.cpu")
                    "must be less than or equal to the cpu limit of 1"
                    (Some(str "2")) ])
      example
          "a binary request above a decimal limit"
          (set resources (json """{"requests": {"memory": "1Gi"}, "limits": {"memory": "1G"}}"""))
          (Refused
              [ FieldError.controller
                    (resources + ".requests.memory")
                    "must be less than or equal to the memory limit of 1G"
                    (Some(str "1Gi")) ])
      example
          "a resource name that is not a qualified name"
          (set resources (json """{"limits": {"bad name": "1"}}"""))
          (Refused
              [ FieldError.controller
                    (resources + ".limits.bad name")
                    ("resource name " + qualifiedName)
                    (Some(str "bad name")) ])
      rejects (resources + ".claims[0]") (str "gpu") "must be an object, not string"
      example
          "a claim needs a name"
          (set resources (json """{"claims": [{"request": "fast"}]}"""))
          (Refused [ FieldError.admission (resources + ".claims[0].name") "is required" None ]) ]

let private tolerations = "spec.tolerations"
let private toleration = tolerations + "[0]"

let private tolerationRows =
    [ unsetByDefault tolerations
      accepts
          tolerations
          (json
              """[{"key": "node-role.kubernetes.io/infra", "operator": "Equal", "value": "reserved", "effect": "NoSchedule"},
                  {"operator": "Exists"},
                  {"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30}]""")
      accepts tolerations (Json.Array(List.replicate 50 (json """{"operator": "Exists"}""")))
      rejects
          tolerations
          (Json.Array(List.replicate 51 (json """{"operator": "Exists"}""")))
          "must have at most 50 items"
      rejects tolerations (json "{}") "must be a list, not object"
      rejects toleration (str "k") "must be an object, not string"
      example
          "an empty key needs operator Exists"
          (set tolerations (json """[{"effect": "NoSchedule"}]"""))
          (Refused [ FieldError.controller (toleration + ".operator") "must be Exists when key is empty" None ])
      example
          "operator Exists takes no value"
          (set tolerations (json """[{"key": "k", "operator": "Exists", "value": "v"}]"""))
          (Refused
              [ FieldError.controller (toleration + ".value") "must be empty when operator is Exists" (Some(str "v")) ])
      example
          "an unknown operator"
          (set tolerations (json """[{"key": "k", "operator": "Maybe"}]"""))
          (Refused
              [ FieldError.controller (toleration + ".operator") "must be one of: Equal, Exists" (Some(str "Maybe")) ])
      example
          "an unknown effect"
          (set tolerations (json """[{"operator": "Exists", "effect": "Sometimes"}]"""))
          (Refused
              [ FieldError.controller
                    (toleration + ".effect")
                    "must be one of: NoSchedule, PreferNoSchedule, NoExecute"
                    (Some(str "Sometimes")) ])
      example
          "a value that is not a label value"
          (set tolerations (json """[{"key": "k", "value": "-v"}]"""))
          (Refused [ FieldError.controller (toleration + ".value") labelValue (Some(str "-v")) ])
      example
          "a key that is not a qualified name"
          (set tolerations (json """[{"key": "bad key", "operator": "Exists"}]"""))
          (Refused [ FieldError.controller (toleration + ".key") qualifiedName (Some(str "bad key")) ])
      example
          "tolerationSeconds needs effect NoExecute"
          (set tolerations (json """[{"key": "k", "operator": "Exists", "tolerationSeconds": 30}]"""))
          (Refused
              [ FieldError.controller (toleration + ".effect") "must be NoExecute when tolerationSeconds is set" None ])
      rejects (toleration + ".tolerationSeconds") (str "30") "must be an integer, not string"
      rejects (toleration + ".operator") (num 1) "must be a string, not integer"
      example
          "a null toleration"
          (set tolerations (json "[null]"))
          (Refused [ FieldError.admission toleration "must be an object, not null" (Some Json.Null) ]) ]

let private affinity = "spec.affinity"

let private nodeRequired =
    affinity + ".nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"

let private nodePreferred =
    affinity + ".nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution"

let private expression = nodeRequired + ".nodeSelectorTerms[0].matchExpressions[0]"

let private podRequired =
    affinity + ".podAffinity.requiredDuringSchedulingIgnoredDuringExecution"

let private antiPreferred =
    affinity + ".podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution"

let private withExpression (e: string) =
    set nodeRequired (json (sprintf """{"nodeSelectorTerms": [{"matchExpressions": [%s]}]}""" e))

let private affinityRows =
    [ unsetByDefault affinity
      accepts
          affinity
          (json
              """{"nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                      {"matchExpressions": [{"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]},
                                            {"key": "cpu-count", "operator": "Gt", "values": ["4"]}]},
                      {"matchFields": [{"key": "metadata.name", "operator": "NotIn", "values": ["node-1"]}]}]},
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                      {"weight": 100, "preference": {"matchExpressions": [{"key": "zone", "operator": "Exists"}]}}]},
                  "podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                      {"labelSelector": {"matchLabels": {"app": "spire"}}, "topologyKey": "kubernetes.io/hostname",
                       "namespaces": ["zero-trust"]}]},
                  "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                      {"weight": 1, "podAffinityTerm": {"topologyKey": "topology.kubernetes.io/zone",
                        "labelSelector": {"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["x"]}]}}}]}}""")
      rejects affinity (str "any") "must be an object, not string"
      example
          "nodeSelectorTerms is required"
          (set nodeRequired (json "{}"))
          (Refused [ FieldError.admission (nodeRequired + ".nodeSelectorTerms") "is required" None ])
      example
          "nodeSelectorTerms must not be empty"
          (set nodeRequired (json """{"nodeSelectorTerms": []}"""))
          (Refused
              [ FieldError.controller
                    (nodeRequired + ".nodeSelectorTerms")
                    "must have at least one term"
                    (Some(json "[]")) ])
      example
          "a requirement needs a key"
          (withExpression """{"operator": "Exists"}""")
          (Refused [ FieldError.admission (expression + ".key") "is required" None ])
      example
          "a requirement needs an operator"
          (withExpression """{"key": "zone"}""")
          (Refused [ FieldError.admission (expression + ".operator") "is required" None ])
      rejects expression (str "zone") "must be an object, not string"
      example
          "an operator that is not a string"
          (withExpression """{"key": "zone", "operator": 1}""")
          (Refused [ FieldError.admission (expression + ".operator") "must be a string, not integer" (Some(num 1)) ])
      example
          "an unknown node selector operator"
          (withExpression """{"key": "zone", "operator": "Near"}""")
          (Refused
              [ FieldError.controller
                    (expression + ".operator")
                    "must be one of: In, NotIn, Exists, DoesNotExist, Gt, Lt"
                    (Some(str "Near")) ])
      example
          "In needs values"
          (withExpression """{"key": "zone", "operator": "In"}""")
          (Refused
              [ FieldError.controller (expression + ".values") "must be specified when operator is In or NotIn" None ])
      example
          "Exists takes no values"
          (withExpression """{"key": "zone", "operator": "Exists", "values": ["a"]}""")
          (Refused
              [ FieldError.controller
                    (expression + ".values")
                    "may not be specified when operator is Exists or DoesNotExist"
                    (Some(json """["a"]""")) ])
      example
          "Gt needs an integer"
          (withExpression """{"key": "cpus", "operator": "Gt", "values": ["four"]}""")
          (Refused
              [ FieldError.controller
                    (expression + ".values")
                    "must be an integer when operator is Gt or Lt"
                    (Some(json """["four"]""")) ])
      example
          "Lt needs exactly one value"
          (withExpression """{"key": "cpus", "operator": "Lt", "values": ["1", "2"]}""")
          (Refused
              [ FieldError.controller
                    (expression + ".values")
                    "must have exactly one value when operator is Gt or Lt"
                    (Some(json """["1", "2"]""")) ])
      example
          "a requirement key that is not a qualified name"
          (withExpression """{"key": "bad key", "operator": "Exists"}""")
          (Refused [ FieldError.controller (expression + ".key") qualifiedName (Some(str "bad key")) ])
      example
          "a preferred term needs a weight"
          (set nodePreferred (json """[{"preference": {}}]"""))
          (Refused [ FieldError.admission (nodePreferred + "[0].weight") "is required" None ])
      example
          "a preferred term needs a preference"
          (set nodePreferred (json """[{"weight": 1}]"""))
          (Refused [ FieldError.admission (nodePreferred + "[0].preference") "is required" None ])
      rejects (nodePreferred + "[0]") (str "zone") "must be an object, not string"
      rejects (podRequired + "[0]") (str "zone") "must be an object, not string"
      example
          "a weight above 100"
          (set nodePreferred (json """[{"weight": 101, "preference": {}}]"""))
          (Refused [ FieldError.controller (nodePreferred + "[0].weight") "must be between 1 and 100" (Some(num 101)) ])
      example
          "a weight of 0"
          (set antiPreferred (json """[{"weight": 0, "podAffinityTerm": {"topologyKey": "zone"}}]"""))
          (Refused [ FieldError.controller (antiPreferred + "[0].weight") "must be between 1 and 100" (Some(num 0)) ])
      example
          "a weighted pod term needs its podAffinityTerm"
          (set antiPreferred (json """[{"weight": 10}]"""))
          (Refused [ FieldError.admission (antiPreferred + "[0].podAffinityTerm") "is required" None ])
      example
          "a pod term needs a topologyKey"
          (set podRequired (json """[{"labelSelector": {}}]"""))
          (Refused [ FieldError.admission (podRequired + "[0].topologyKey") "is required" None ])
      example
          "a pod term's topologyKey must not be empty"
          (set podRequired (json """[{"topologyKey": ""}]"""))
          (Refused [ FieldError.controller (podRequired + "[0].topologyKey") "must not be empty" (Some(str "")) ])
      example
          "a label selector value that is not a label value"
          (set podRequired (json """[{"topologyKey": "zone", "labelSelector": {"matchLabels": {"app": "-x"}}}]"""))
          (Refused
              [ FieldError.controller (podRequired + "[0].labelSelector.matchLabels.app") labelValue (Some(str "-x")) ])
      example
          "a label selector has no Gt"
          (set
              podRequired
              (json
                  """[{"topologyKey": "zone", "labelSelector": {"matchExpressions": [{"key": "n", "operator": "Gt", "values": ["1"]}]}}]"""))
          (Refused
              [ FieldError.controller
                    (podRequired + "[0].labelSelector.matchExpressions[0].operator")
                    "must be one of: In, NotIn, Exists, DoesNotExist"
                    (Some(str "Gt")) ]) ]

let private rows =
    labelMapRows "spec.labels" 64
    @ labelMapRows "spec.nodeSelector" 50
    @ resourceRows
    @ tolerationRows
    @ affinityRows

/// CommonConfig is inlined into all five kinds; every kind reads it the same way.
/// One table per kind: every kind has the common configuration.
let tables =
    [ for kind in Kind.all -> table (Kind.name kind) kind (minimal kind) rows ]

[<Tests>]
let tests = testList "CommonConfig" (tables |> List.map tableTests)
