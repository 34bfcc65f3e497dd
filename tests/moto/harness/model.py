"""What the harness's CloudFormation types share (server.py, patches 13 and 14): a physical id,
the attributes Fn::GetAtt answers, and an update that makes the resource again.

A mixin: moto registers only direct subclasses of CloudFormationModel, so each type is
`class _X(Model, CloudFormationModel)` with its TYPE, its ATTRIBUTES and its own
create_from_cloudformation_json.
"""


class Model:
    TYPE = ""
    ATTRIBUTES: tuple = ()

    def __init__(self, physical, attributes=None):
        self.physical = physical
        self.attributes = attributes or {}

    @staticmethod
    def cloudformation_name_type():
        return ""

    @classmethod
    def cloudformation_type(cls):
        return cls.TYPE

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in cls.ATTRIBUTES

    @property
    def physical_resource_id(self):
        return self.physical

    def get_cfn_attribute(self, attribute_name):
        if attribute_name in self.attributes:
            return self.attributes[attribute_name]
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        raise UnformattedGetAttTemplateException()

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ):
        cls.delete_from_cloudformation_json(original_resource.physical, cloudformation_json, account_id, region_name)
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        return None
